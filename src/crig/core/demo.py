"""Demo texts of the CRIG Occitanie home page (from the council's 2024 presentation)."""

from crig.core.models import SiteText

HOME_TEXTS = {
    SiteText.Key.HOME_INTRO: {
        "title_fr": "Le Conseil Régional de l'Information Géographique d'Occitanie",
        "title_en": "The Occitanie Regional Council for Geographic Information",
        "body_fr": (
            "Le CRIG Occitanie rassemble les acteurs de l'information géographique "
            "de la région : collectivités, services de l'État, entreprises, "
            "établissements académiques et associations. Né en juin 2019 d'une "
            "convention entre la "
            "Préfecture de Région, la Région Occitanie, IGN Occitanie et l'association "
            "OPenIG, il met en cohérence les plateformes régionales et mutualise les "
            "données géographiques de référence."
        ),
        "body_en": (
            "CRIG Occitanie brings together the geographic-information community of "
            "the region: local authorities, State services, companies, academia and "
            "associations. Founded in June 2019 by an agreement between the Regional "
            "Prefecture, the Occitanie Region, IGN Occitanie and the OPenIG "
            "association, it makes the regional platforms work together and pools the "
            "reference geographic data."
        ),
    },
    SiteText.Key.HOME_ROLES: {
        "title_fr": "Ses rôles",
        "title_en": "Its roles",
        "body_fr": (
            "Copiloter la stratégie de l'information géographique en Occitanie.\n\n"
            "Donner un avis sur les demandes de financement arrivant à l'un des quatre "
            "signataires.\n\n"
            "Recueillir et prioriser les besoins des acteurs.\n\n"
            "Relayer l'information auprès des communautés de chacun des signataires, "
            "et celle du Conseil national de l'information géographique (CNIG).\n\n"
            "Mutualiser et structurer les données de référence : orthophotographies, "
            "occupation du sol, ERP, PCRS, LIDAR, adresses."
        ),
        "body_en": (
            "Co-pilot the geographic-information strategy of Occitanie.\n\n"
            "Give an opinion on the funding requests that reach any of the four "
            "signatories.\n\n"
            "Collect and prioritise the needs of its members.\n\n"
            "Relay information to each signatory's community, and from the national "
            "council (CNIG).\n\n"
            "Pool and structure the reference data: orthophotos, land cover, ERP, "
            "PCRS, LIDAR, addresses."
        ),
    },
    SiteText.Key.HOME_FUNCTIONING: {
        "title_fr": "Son fonctionnement",
        "title_en": "How it works",
        "body_fr": (
            "Le CRIG n'a ni moyens propres ni hiérarchie : ses quatre signataires le "
            "copilotent à égalité. OPenIG en assure la logistique et le secrétariat, "
            "et le représente auprès du CNIG.\n\n"
            "Il se réunit trois fois par an, organise chaque année une journée ouverte "
            "à tous (Toulouse et Montpellier en alternance) et conduit un plan annuel "
            "d'actions communes : quinze actions en 2024."
        ),
        "body_en": (
            "The CRIG has no budget of its own and no hierarchy: its four signatories "
            "co-pilot it as equals. OPenIG runs its logistics and secretariat, and "
            "represents it at the CNIG.\n\n"
            "It meets three times a year, holds a public day every year (alternately "
            "in Toulouse and Montpellier) and runs an annual action plan: fifteen "
            "actions in 2024."
        ),
    },
}


def load_demo(*, stdout) -> None:
    for key, fields in HOME_TEXTS.items():
        SiteText.objects.update_or_create(key=key, defaults=fields)
    stdout.write(f"  home page: {len(HOME_TEXTS)} texts")

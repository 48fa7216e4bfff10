from crig.core.models import SiteText


def site_texts(*, keys: list[str]) -> dict[str, SiteText]:
    """The site texts with these keys, by key (missing keys are simply absent)."""
    return {text.key: text for text in SiteText.objects.filter(key__in=keys)}

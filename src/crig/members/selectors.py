from crig.members.models import Signatory


def signatories_for_display():
    """The convention's signatories in display order, with their organisation."""
    return Signatory.objects.select_related("organisation", "convention").order_by(
        "position", "organisation__name"
    )

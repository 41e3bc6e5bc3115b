"""What a corrected version says about its correction, in the reader's language.

A version's `correction_reason` is written once, in the language of whoever applied the correction, and stays as
the record. Pages and documents show the same facts composed again for their reader (docs/chinese.md): the
correction's number and, for an upheld appeal, the appeal's number, the appellant and the decision as written."""

from django import template
from django.utils.translation import gettext as _

from results.models import Correction

register = template.Library()


@register.simple_tag
def correction_note(card) -> str:
    """ "Correction #3: Appeal #4 of 陈静 upheld: …" for a corrected version, in the active language; "" for a first
    version. One query."""
    if card.version <= 1 or not card.basis_id:
        return ""
    correction = Correction.objects.filter(basis_id=card.basis_id).select_related("appeal__staff").first()
    if correction is None:
        return card.correction_reason
    appeal = getattr(correction, "appeal", None) if correction.origin == Correction.Origin.APPEAL else None
    if appeal is not None and appeal.decision:
        reason = _("Appeal #%(pk)s of %(name)s upheld: %(justification)s") % {
            "pk": appeal.pk,
            "name": appeal.staff.full_name,
            "justification": appeal.decision,
        }
    else:
        reason = correction.reason
    return _("Correction #%(pk)s: %(reason)s") % {"pk": correction.pk, "reason": reason}

"""Pages of the client questionnaire: the administrative clerks' links, and the public page clients answer."""

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from indicators import questionnaire
from indicators.models import QuestionnaireLink
from indicators.questionnaire_forms import QuestionnaireAnswerForm, QuestionnaireLinkForm
from reviews.models import Language
from reviews.roles import require

# Where a just-created link's token waits to be shown once to the clerk who made it.
NEW_TOKENS_SESSION_KEY = "questionnaire_new_tokens"
UNAVAILABLE_STATUS = {"unknown": 404, "used": 410, "expired": 410}


@require(lambda roles: roles.can_read_data("surveys"))
def questionnaire_links(request):
    return render(
        request, "indicators/questionnaire_links.html", questionnaire.questionnaire_links_page(query=request.GET)
    )


@require(lambda roles: roles.can_edit_data("surveys"))
def questionnaire_link_create(request):
    form = QuestionnaireLinkForm(request.POST or None, initial={"send_email": True})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                link, token = questionnaire.questionnaire_link_create(by=request.user, **form.cleaned_data)
            except ValidationError as error:
                for field, errors in error.error_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                tokens = request.session.get(NEW_TOKENS_SESSION_KEY, {})
                tokens[str(link.pk)] = token
                request.session[NEW_TOKENS_SESSION_KEY] = tokens
                return redirect("indicators:questionnaire_link_created", pk=link.pk)
        status = 400
    return render(request, "indicators/questionnaire_link_form.html", {"form": form}, status=status)


@never_cache
@require(lambda roles: roles.can_edit_data("surveys"))
def questionnaire_link_created(request, pk):
    link = get_object_or_404(
        QuestionnaireLink.objects.select_related("client", "staff"), pk=pk, created_by=request.user
    )
    tokens = request.session.get(NEW_TOKENS_SESSION_KEY, {})
    token = tokens.pop(str(link.pk), None)
    request.session[NEW_TOKENS_SESSION_KEY] = tokens
    url = questionnaire.questionnaire_link_url(token=token) if token else None
    return render(request, "indicators/questionnaire_link_created.html", {"link": link, "url": url})


def _public_language(request, default):
    """The language the client chose with ?lang= (the switch on every public page), else `default`."""
    wanted = request.GET.get("lang")
    return wanted if wanted in Language.values else default


def _language_context(language):
    """What the public pages' language switch needs: the page's language and the other one, named in itself."""
    other = Language.EN if language == Language.ZH_HANS else Language.ZH_HANS
    return {"language": language, "other_language": other, "other_language_label": Language(other).label}


@never_cache
def questionnaire_answer(request, token):
    """The public page (no login): the three satisfaction questions, answered once."""
    try:
        link = questionnaire.questionnaire_link_verify(token=token)
    except questionnaire.QuestionnaireLinkUnavailable as unavailable:
        return _unavailable(request, unavailable)
    language = _public_language(request, link.language)
    with translation.override(language):
        form = QuestionnaireAnswerForm(request.POST or None)
        status = 200
        if request.method == "POST":
            if form.is_valid():
                try:
                    questionnaire.questionnaire_answer(token=token, **form.cleaned_data)
                except questionnaire.QuestionnaireLinkUnavailable as unavailable:
                    return _unavailable(request, unavailable)
                except ValidationError as error:
                    for field, errors in error.error_dict.items():
                        form.add_error(field if field in form.fields else None, errors)
                else:
                    return redirect(reverse("questionnaire:thanks") + f"?lang={language}")
            status = 400
        context = {"link": link, "form": form, **_language_context(language)}
        return render(request, "indicators/questionnaire_answer.html", context, status=status)


def _unavailable(request, unavailable):
    # A link that was found (used or expired) keeps its language; an unknown one speaks the site's default.
    link = unavailable.link
    language = _public_language(request, link.language if link else Language.ZH_HANS)
    with translation.override(language):
        messages_by_reason = {
            "unknown": _("This questionnaire link is not valid. Please check that you copied the whole address."),
            "used": _("This questionnaire has already been answered. Thank you — each link can be used only once."),
            "expired": _("This questionnaire link has expired. Please contact the firm if you would like to answer."),
        }
        return render(
            request,
            "indicators/questionnaire_unavailable.html",
            {
                "reason": unavailable.reason,
                "message": messages_by_reason[unavailable.reason],
                **_language_context(language),
            },
            status=UNAVAILABLE_STATUS[unavailable.reason],
        )


def questionnaire_thanks(request):
    language = _public_language(request, Language.ZH_HANS)
    with translation.override(language):
        return render(request, "indicators/questionnaire_thanks.html", _language_context(language))

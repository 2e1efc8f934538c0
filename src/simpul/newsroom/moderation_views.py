"""Back office of the discussion (/kelola/warta/moderasi/): the redaksi's comment queue and
comment settings; hak-jawab requests for the redaksi and the kab/kota pembina.
Outside the user's scope every page is 404."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from simpul.registry.models import full_kim_name

from . import comments
from . import moderation_queries as mq
from .models import KimNewsroom, ReplyRequest

PER_PAGE = 30


@login_required
def queue(request):
    if not mq.can_moderate(request.user):
        if mq.can_see_replies(request.user):
            return redirect("kelola:moderasi:replies")
        raise Http404
    page = Paginator(mq.moderation_queue(request.user), PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "newsroom/moderation/queue.html", {"page": page})


def _moderate(request, public_id, action, done):
    comment = mq.comment_for_moderation_or_404(request.user, public_id)
    action(actor=request.user, comment=comment)
    messages.success(request, done)
    return redirect("kelola:moderasi:queue")


@login_required
@require_POST
def comment_approve(request, public_id):
    return _moderate(request, public_id, comments.comment_approve, _("Komentar ditampilkan."))


@login_required
@require_POST
def comment_remove(request, public_id):
    return _moderate(
        request, public_id, comments.comment_remove, _("Komentar dihapus dari tampilan.")
    )


class SettingsForm(forms.Form):
    comment_mode = forms.ChoiceField(
        label=gettext_lazy("Moderasi komentar"),
        choices=KimNewsroom.CommentMode.choices,
        widget=forms.RadioSelect,
    )
    comments_open = forms.BooleanField(
        label=gettext_lazy("Komentar dibuka untuk warga terdaftar"), required=False
    )


@login_required
def settings_list(request):
    if not mq.can_moderate(request.user):
        raise Http404
    kims = mq.redaksi_kims(request.user)
    if len(kims) == 1:
        return redirect("kelola:moderasi:settings-edit", kims[0].slug)
    rows = [{"kim": k, "name": full_kim_name(k.name), "row": k.newsroom_row} for k in kims]
    return render(request, "newsroom/moderation/settings_list.html", {"rows": rows})


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def settings_edit(request, slug):
    kim = mq.redaksi_kim_or_404(request.user, slug)
    current = KimNewsroom.objects.filter(kim=kim).first()
    initial = {
        "comment_mode": current.comment_mode if current else KimNewsroom.CommentMode.APPROVE_FIRST,
        "comments_open": current.comments_open if current else True,
    }
    form = SettingsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        comments.newsroom_settings_update(
            actor=request.user,
            kim=kim,
            comment_mode=form.cleaned_data["comment_mode"],
            comments_open=form.cleaned_data["comments_open"],
        )
        messages.success(request, _("Pengaturan komentar disimpan."))
        return redirect("kelola:moderasi:settings-edit", kim.slug)
    context = {"kim": kim, "full_name": full_kim_name(kim.name), "form": form}
    return render(request, "newsroom/moderation/settings_form.html", context)


STATUS_FILTERS = [("", gettext_lazy("Semua"))] + list(ReplyRequest.Status.choices)


@login_required
def reply_list(request):
    if not mq.can_see_replies(request.user):
        raise Http404
    status = request.GET.get("status", ReplyRequest.Status.NEW)
    if status not in dict(STATUS_FILTERS):
        status = ReplyRequest.Status.NEW
    page = Paginator(mq.reply_requests(request.user, status=status), PER_PAGE).get_page(
        request.GET.get("page")
    )
    context = {"page": page, "status": status, "statuses": STATUS_FILTERS}
    return render(request, "newsroom/moderation/reply_list.html", context)


class AnswerForm(forms.Form):
    response = forms.CharField(
        label=gettext_lazy("Tanggapan redaksi"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=gettext_lazy(
            "Hak jawab yang ditanggapi ditampilkan di bawah berita bersama tanggapan ini "
            "(nama pengirim dan isinya; e-mail tidak pernah ditampilkan)."
        ),
        error_messages={"required": gettext_lazy("Tanggapan redaksi wajib diisi.")},
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def reply_detail(request, public_id):
    reply = mq.reply_request_or_404(request.user, public_id)
    form = AnswerForm(
        request.POST if request.POST.get("action") == "answer" else None,
        initial={"response": reply.response},
    )
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "close":
            comments.reply_request_close(actor=request.user, request=reply)
            messages.success(request, _("Hak jawab ditutup tanpa ditampilkan."))
            return redirect("kelola:moderasi:replies")
        if action == "answer" and form.is_valid():
            try:
                comments.reply_request_answer(
                    actor=request.user, request=reply, response=form.cleaned_data["response"]
                )
            except ValidationError as exc:
                for message in exc.messages:
                    form.add_error("response", message)
            else:
                messages.success(request, _("Tanggapan disimpan dan ditampilkan di bawah berita."))
                return redirect("kelola:moderasi:replies")
    context = {
        "reply": reply,
        "form": form,
        "kim_name": full_kim_name(reply.article.kim.name),
    }
    return render(request, "newsroom/moderation/reply_detail.html", context)

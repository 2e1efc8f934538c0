"""Public writes under an article: post a comment or reply, report a comment, and the
hak-jawab (right of reply) form. Every form works without JavaScript."""

from django import forms
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from simpul.accounts.throttle import client_ip, try_again

from . import comments, queries
from .models import Comment
from .public_views import CommentForm, render_article


def _throttled_message(seconds):
    return try_again(seconds, _("Terlalu banyak kiriman dalam waktu singkat."))


@require_POST
def comment_post(request, slug):
    article = queries.public_article_or_404(slug)
    if not request.user.is_authenticated:
        return redirect_to_login(reverse("warta:detail", args=[slug]) + "#komentar")
    form = CommentForm(request.POST)
    if not form.is_valid():
        return render_article(request, article, comment_form=form, status=400)
    if form.cleaned_data["situs"]:
        # A bot filled the hidden field: accept silently, store nothing.
        messages.success(request, _("Terima kasih. Komentar Anda sudah diterima."))
        return redirect(reverse("warta:detail", args=[slug]) + "#komentar")
    parent = None
    if form.cleaned_data["parent"]:
        parent = Comment.objects.filter(
            article=article, public_id=form.cleaned_data["parent"]
        ).first()
        if parent is None:
            raise Http404
    try:
        comment = comments.comment_post(
            actor=request.user,
            article=article,
            body=form.cleaned_data["body"],
            parent=parent,
            ip=client_ip(request),
        )
    except comments.Throttled as exc:
        form.add_error(None, _throttled_message(exc.seconds))
        return render_article(request, article, comment_form=form, status=429)
    except ValidationError as exc:
        for message in exc.messages:
            form.add_error("body", message)
        return render_article(request, article, comment_form=form, status=400)
    anchor = f"#k-{comment.public_id}"
    if comment.status == Comment.Status.PENDING:
        anchor = "#komentar"  # a pending comment is not on the page yet
        messages.success(
            request,
            _("Terima kasih. Komentar Anda akan tampil setelah disetujui redaksi KIM."),
        )
    else:
        messages.success(request, _("Komentar Anda sudah tampil."))
    return redirect(reverse("warta:detail", args=[slug]) + anchor)


@require_POST
def comment_report(request, slug, public_id):
    article = queries.public_article_or_404(slug)
    if not request.user.is_authenticated:
        return redirect_to_login(reverse("warta:detail", args=[slug]))
    comment = Comment.objects.filter(
        article=article, public_id=public_id, status=Comment.Status.PUBLISHED
    ).first()
    if comment is None:
        raise Http404
    if comments.comment_report(
        actor=request.user, comment=comment, reason=request.POST.get("alasan", "")
    ):
        messages.success(request, _("Terima kasih. Laporan Anda sudah diterima redaksi."))
    else:
        messages.info(request, _("Anda sudah melaporkan komentar ini."))
    return redirect(reverse("warta:detail", args=[slug]) + "#komentar")


class ReplyRequestForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Nama"), max_length=150)
    email = forms.EmailField(
        label=gettext_lazy("E-mail"),
        help_text=gettext_lazy("Untuk balasan redaksi. Tidak ditampilkan di situs."),
    )
    body = forms.CharField(
        label=gettext_lazy("Isi hak jawab"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 8, "maxlength": 5000}),
        help_text=gettext_lazy(
            "Tulis bagian artikel yang ingin Anda tanggapi atau luruskan, dan penjelasan Anda."
        ),
    )
    situs = forms.CharField(label=gettext_lazy("Jangan diisi"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].error_messages["required"] = _("Nama wajib diisi.")
        self.fields["email"].error_messages["required"] = _("E-mail wajib diisi.")
        self.fields["email"].error_messages["invalid"] = _(
            "E-mail tidak sah: tulis alamat seperti nama@contoh.id."
        )
        self.fields["body"].error_messages["required"] = _("Isi hak jawab wajib diisi.")


@require_safe
def reply_sent(request, slug):
    article = queries.public_article_or_404(slug)
    return render(request, "newsroom/public/reply_sent.html", {"article": article})


@require_http_methods(["GET", "HEAD", "POST"])
def reply_request(request, slug):
    article = queries.public_article_or_404(slug)
    form = ReplyRequestForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            if form.cleaned_data["situs"]:  # a bot: looks sent, stores nothing
                return redirect("warta:reply-sent", article.slug)
            try:
                comments.reply_request_create(
                    article=article,
                    name=form.cleaned_data["name"],
                    email=form.cleaned_data["email"],
                    body=form.cleaned_data["body"],
                    ip=client_ip(request),
                )
            except comments.Throttled as exc:
                form.add_error(None, _throttled_message(exc.seconds))
                status = 429
            except ValidationError as exc:
                for message in exc.messages:
                    form.add_error("body", message)
                status = 400
            else:
                return redirect("warta:reply-sent", article.slug)
        else:
            status = 400
    kim_name = queries.full_kim_name(article.kim.name)
    context = {"article": article, "form": form, "kim_name": kim_name}
    return render(request, "newsroom/public/reply_form.html", context, status=status)

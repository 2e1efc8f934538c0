from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from simpul.accounts.models import User
from simpul.api.models import ApiToken
from simpul.api.services import token_create, token_revoke


class Command(BaseCommand):
    help = (
        "Personal API tokens: `create --email X --name Y` prints a new token once; "
        "`list --email X`; `revoke --id PUBLIC_ID`."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="make a token and print it (shown only once)")
        create.add_argument("--email", required=True)
        create.add_argument("--name", required=True, help="what the token is for")
        listing = sub.add_parser("list", help="tokens of one user (never the token itself)")
        listing.add_argument("--email", required=True)
        revoke = sub.add_parser("revoke", help="stop a token from working")
        revoke.add_argument("--id", required=True, dest="public_id")

    def _user(self, email):
        user = User.objects.filter(email__iexact=email.strip()).first()
        if user is None:
            raise CommandError(f"Tidak ada pengguna dengan e-mail {email}.")
        return user

    def handle(self, *args, action, **options):
        getattr(self, f"handle_{action}")(**options)

    def handle_create(self, *, email, name, **options):
        user = self._user(email)
        try:
            # Made on the server's command line: counts as made after a second factor.
            token, raw = token_create(actor=None, user=user, name=name, two_factor=True)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(raw)
        self.stderr.write(
            f"Token {token.public_id} ({token.name}) untuk {user.email}. Simpan sekarang: "
            "token ini tidak bisa ditampilkan lagi."
        )

    def handle_list(self, *, email, **options):
        user = self._user(email)
        for token in ApiToken.objects.filter(user=user):
            used = f"{token.last_used_at:%Y-%m-%d %H:%M}" if token.last_used_at else "-"
            state = "dicabut" if token.revoked_at else "aktif"
            self.stdout.write(
                f"{token.public_id}  {state:<7}  dibuat {token.created_at:%Y-%m-%d}  "
                f"dipakai {used}  {token.name}"
            )

    def handle_revoke(self, *, public_id, **options):
        token = ApiToken.objects.select_related("user").filter(public_id=public_id).first()
        if token is None:
            raise CommandError(f"Tidak ada token {public_id}.")
        token_revoke(actor=None, token=token)
        self.stdout.write(f"Token {token.public_id} ({token.name}) dicabut.")

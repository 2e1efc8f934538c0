import factory
from django_otp.plugins.otp_totp.models import TOTPDevice

from simpul.accounts.models import Office, RoleAssignment, User
from simpul.registry.models import Kim, normalise_kim_name

PASSWORD = "rahasia-uji-123"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"pengguna{n}@contoh.id")
    full_name = factory.Sequence(lambda n: f"Pengguna {n}")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class OfficeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Office

    name = factory.Sequence(lambda n: f"Diskominfo {n}")
    kind = Office.Kind.DISKOMINFO_KABKOTA
    region_code = "13.07"


class KimFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Kim

    name = factory.Sequence(lambda n: f"Kelompok Informasi Masyarakat Uji {n}")
    normalised_name = factory.LazyAttribute(lambda o: normalise_kim_name(o.name))
    slug = factory.Sequence(lambda n: f"kim-uji-{n}")
    region_code = "13.07.07.2002"
    status = Kim.Status.AKTIF


def assign(user, role, *, region_code=None, kim=None, office=None):
    ra = RoleAssignment.objects.create(
        user=user,
        role=role,
        region_code=None if kim else (region_code or ""),
        kim=kim,
        office=office,
    )
    user.__dict__.pop("_simpul_grants", None)
    return ra


def confirmed_totp(user):
    return TOTPDevice.objects.create(user=user, name="uji", confirmed=True)

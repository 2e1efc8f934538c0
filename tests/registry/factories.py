"""Factories below the KIM: channels, members, SK. Sectors are seeded by a data migration,
so `sector(slug)` fetches one instead of creating it."""

from datetime import date

import factory

from simpul.registry.models import Channel, Decree, Member, Sector

from ..factories import KimFactory

SECTOR_SLUGS = (
    "pertanian",
    "pariwisata",
    "umkm",
    "kesehatan",
    "pendidikan",
    "lingkungan",
    "sosial-budaya",
    "literasi-digital",
)


def sector(slug):
    return Sector.objects.get(slug=slug)


class SectorFactory(factory.django.DjangoModelFactory):
    """For a sector outside the seeded list; get_or_create keeps the seeded ones unique."""

    class Meta:
        model = Sector
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"sektor-uji-{n}")
    name = factory.LazyAttribute(lambda o: o.slug.replace("-", " ").capitalize())
    position = 99


class ChannelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Channel

    kim = factory.SubFactory(KimFactory)
    region_code = factory.SelfAttribute("kim.region_code")
    kind = Channel.Kind.FACEBOOK
    handle = factory.Sequence(lambda n: f"https://www.facebook.com/kim.uji.{n}")
    audience = 1200
    last_updated_on = date(2025, 11, 1)


class MemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Member

    kim = factory.SubFactory(KimFactory)
    region_code = factory.SelfAttribute("kim.region_code")
    full_name = factory.Sequence(lambda n: f"Anggota Uji {n}")
    position = Member.Position.ANGGOTA
    started_on = date(2024, 1, 1)
    listed_publicly = False

    class Params:
        # An officer who agreed to be named on the public profile.
        public_officer = factory.Trait(
            position=Member.Position.KETUA, listed_publicly=True, consent_on=date(2024, 1, 1)
        )


class DecreeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Decree

    kim = factory.SubFactory(KimFactory)
    region_code = factory.SelfAttribute("kim.region_code")
    number = factory.Sequence(lambda n: f"{n}/SK/WN/2024")
    issued_on = date(2024, 6, 30)
    signatory_office = "Wali Nagari Koto Bangun"
    signatory_name = "Wali Nagari"
    term_ends_on = date(2027, 6, 30)

"""Factories of the siaran graph: Siaran (sent by an office), Inbox (one targeted KIM's copy),
Subscriber (one citizen on one channel), Relay, ShortLink, Dispatch.

SiaranFactory makes a *sent* siaran of the Sumbar province office aimed at Lima Puluh Kota
(13.07) unless told otherwise; `SiaranFactory(draft=True)` makes an unsent draft.
"""

import secrets
from datetime import date

import factory
from django.utils import timezone

from simpul.broadcasts import subscriptions
from simpul.broadcasts.models import (
    Channel,
    Dispatch,
    Inbox,
    Relay,
    RelayChannel,
    ShortLink,
    Siaran,
    Subscriber,
)

from ..factories import KimFactory, OfficeFactory


def address_hash(channel, address):
    """The subscriber's address hash, as the subscription service computes it."""
    return subscriptions.address_hash(channel, address)


class ProvinceOfficeFactory(OfficeFactory):
    """The Sumbar province office (get_or_create). Its unit differs from the `office_sumbar`
    fixture's, so both can exist in one test whatever their order; pass
    `office=office_sumbar` to SiaranFactory when a test needs that very office."""

    class Meta:
        django_get_or_create = ("region_code", "kind", "name", "unit")

    name = "Dinas Komunikasi, Informatika dan Statistik Provinsi Sumatera Barat"
    unit = ""
    kind = "diskominfo_provinsi"
    region_code = "13"


class SiaranFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Siaran
        skip_postgeneration_save = True

    office = factory.SubFactory(ProvinceOfficeFactory)
    region_code = factory.SelfAttribute("office.region_code")
    title = factory.Sequence(lambda n: f"Cek Kesehatan Gratis gelombang {n}")
    slug = factory.Sequence(lambda n: f"cek-kesehatan-gratis-{n}")
    body = "Puskesmas membuka **Cek Kesehatan Gratis** untuk semua warga. Bawa KTP."
    body_html = (
        "<p>Puskesmas membuka <strong>Cek Kesehatan Gratis</strong> untuk semua warga. "
        "Bawa KTP.</p>"
    )
    short_text = "Cek Kesehatan Gratis di puskesmas terdekat. Bawa KTP."
    priority = Siaran.Priority.BIASA
    target_regions = factory.LazyFunction(lambda: ["13.07"])
    target_kim_statuses = factory.LazyFunction(list)
    channels = factory.LazyFunction(list)
    status = Siaran.Status.SENT
    sent_at = factory.LazyFunction(timezone.now)
    fanned_out_at = factory.LazyAttribute(lambda o: o.sent_at)
    is_public = True

    class Params:
        draft = factory.Trait(status=Siaran.Status.DRAFT, sent_at=None, fanned_out_at=None)
        hoaks = factory.Trait(
            priority=Siaran.Priority.HOAKS,
            title=factory.Sequence(lambda n: f"Klarifikasi: pesan berantai bantuan palsu {n}"),
        )

    @factory.post_generation
    def sectors(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.target_sectors.set(extracted)


class InboxFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Inbox

    siaran = factory.SubFactory(SiaranFactory)
    kim = factory.SubFactory(KimFactory)
    region_code = factory.SelfAttribute("kim.region_code")
    delivered_at = factory.LazyFunction(timezone.now)


class SubscriberFactory(factory.django.DjangoModelFactory):
    """An active e-mail subscriber of Koto Bangun (13.07.07.2002), all topics."""

    class Meta:
        model = Subscriber
        skip_postgeneration_save = True

    channel = Channel.EMAIL
    address = factory.Sequence(lambda n: f"pelanggan{n}@contoh.id")
    address_hash = factory.LazyAttribute(lambda o: address_hash(o.channel, o.address))
    region_code = "13.07.07.2002"
    all_topics = True
    status = Subscriber.Status.ACTIVE
    token = factory.LazyFunction(lambda: secrets.token_urlsafe(32))
    consent_at = factory.LazyFunction(timezone.now)
    confirmed_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def topics(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.topics.set(extracted)


class DispatchFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Dispatch

    siaran = factory.SubFactory(SiaranFactory)
    subscriber = factory.SubFactory(SubscriberFactory)
    channel = factory.SelfAttribute("subscriber.channel")
    region_code = factory.SelfAttribute("subscriber.region_code")


class RelayFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Relay

    siaran = factory.SubFactory(SiaranFactory)
    kim = factory.SubFactory(KimFactory)
    region_code = factory.SelfAttribute("kim.region_code")
    channel = RelayChannel.MEETING
    audience = 40
    relayed_on = factory.LazyFunction(date.today)


class ShortLinkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ShortLink

    code = factory.LazyFunction(lambda: secrets.token_urlsafe(8))
    siaran = factory.SubFactory(SiaranFactory)
    kim = factory.SubFactory(KimFactory)
    region_code = factory.LazyAttribute(lambda o: o.kim.region_code if o.kim else "")
    target = factory.LazyAttribute(lambda o: f"/siaran/{o.siaran.slug}/")
    channel = RelayChannel.WHATSAPP

"""The reach ledger as CSV (the per-wilayah table) and XLSX (per wilayah, per KIM, relays,
subscriber messages, links). Written through simpul.core.spreadsheets: text starting with
= + - @ is neutralised and XLSX text is stored as text, never as a formula."""

from django.utils import timezone
from django.utils.translation import gettext as _

from simpul.core import spreadsheets

from . import ledger as ledger_queries


def region_table(result):
    header = [
        _("Kode"),
        _("Wilayah"),
        _("KIM sasaran"),
        _("Dibaca"),
        _("Dikonfirmasi"),
        _("KIM meneruskan"),
        _("Penerusan"),
        _("Perkiraan jangkauan (orang)"),
        _("Pesan pelanggan terkirim"),
        _("Pesan gagal"),
        _("Pesan menunggu"),
        _("Klik tautan"),
        _("Pindai QR poster"),
        _("Celah informasi"),
    ]

    def line(r, code, name):
        return [
            code,
            name,
            r.kims,
            r.read,
            r.acknowledged,
            r.relayed_kims,
            r.relays,
            r.audience,
            r.sent,
            r.failed,
            r.pending,
            r.clicks,
            r.scans,
            _("ya") if r.is_gap else "",
        ]

    rows = [line(r, r.code, r.name) for r in result.rows]
    rows.append(line(result.total, result.root_code, _("Jumlah %(name)s") % {"name": result.label}))
    return header, rows


def kim_table(kims):
    header = [
        _("Kode wilayah"),
        _("KIM"),
        _("Diterima"),
        _("Dibaca"),
        _("Dikonfirmasi"),
        _("Penerusan"),
        _("Perkiraan jangkauan (orang)"),
        _("Klik tautan"),
        _("Pindai QR poster"),
    ]

    def when(value):
        return timezone.localtime(value).replace(tzinfo=None) if value else None

    rows = [
        [
            i.region_code,
            i.kim.name,
            when(i.delivered_at),
            when(i.read_at),
            when(i.acknowledged_at),
            i.relays,
            i.audience,
            i.clicks,
            i.scans,
        ]
        for i in kims
    ]
    return header, rows


def channel_tables(result):
    relays = (
        [_("Cara"), _("Penerusan"), _("KIM"), _("Perkiraan jangkauan (orang)")],
        [[c["label"], c["relays"], c["kims"], c["audience"]] for c in result.relay_channels],
    )
    dispatches = (
        [_("Kanal"), _("Terkirim"), _("Gagal"), _("Menunggu"), _("Dilewati/dibatalkan")],
        [
            [c["label"], c["row"].sent, c["row"].failed, c["row"].pending, c["row"].other]
            for c in result.dispatch_channels
        ],
    )
    links = (
        [_("Saluran tautan"), _("Tautan"), _("Klik/pindai")],
        [[c["label"], c["links"], c["clicks"]] for c in result.link_channels],
    )
    return relays, dispatches, links


def filename(result, ext):
    where = result.root_code or "id"
    return f"jangkauan-{result.siaran.public_id}-{where}-{timezone.localdate():%Y-%m-%d}.{ext}"


def to_csv(result):
    return spreadsheets.write_csv(*region_table(result))


def to_xlsx(result):
    sheets = [spreadsheets.Sheet(_("Per wilayah"), *region_table(result), widths={0: 16, 1: 30})]
    kims = ledger_queries.all_kim_rows(result.siaran, result)
    if kims:
        sheets.append(spreadsheets.Sheet(_("Per KIM"), *kim_table(kims), widths={0: 16, 1: 40}))
    relays, dispatches, links = channel_tables(result)
    sheets.append(spreadsheets.Sheet(_("Penerusan per cara"), *relays, widths={0: 30}))
    sheets.append(spreadsheets.Sheet(_("Pesan per kanal"), *dispatches, widths={0: 22}))
    sheets.append(spreadsheets.Sheet(_("Tautan dan QR"), *links, widths={0: 30}))
    return spreadsheets.write_xlsx(sheets)

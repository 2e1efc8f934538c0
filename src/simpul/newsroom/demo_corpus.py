"""Realistic Indonesian news text from templates: the demo articles (`newsroom.demo`) and the
national scale data (`bench/scale_warta.py`) both draw from these pools.

Every choice comes from the `random.Random` passed in, so the same seed gives the same text.
Placeholders: {desa} (desa/nagari/kelurahan name), {kim} (KIM short name), {kab} (kab/kota
name), {orang} (a person), {tanaman}, {produk}, {wisata}, {penyakit}, {n} (a number),
{hari} (a weekday), {bulan} (a month).
"""

CROPS = (
    "padi", "cabai", "bawang merah", "jagung", "kopi", "kakao", "gambir", "karet", "kelapa sawit",
    "tomat", "kentang", "kol", "pisang", "durian", "manggis", "jeruk", "ubi kayu", "kacang tanah",
)  # fmt: skip
PRODUCTS = (
    "rendang kemasan", "keripik sanjai", "kerupuk jangek", "kopi bubuk", "sulaman bordir",
    "tenun songket", "gula aren", "dendeng batokok", "kue bolu", "sambal lado", "madu hutan",
    "anyaman pandan", "galamai", "kerupuk ubi", "teh kayu manis",
)  # fmt: skip
SIGHTS = (
    "air terjun", "danau", "lembah", "ngarai", "goa", "bukit", "pantai", "rumah gadang",
    "kebun teh", "pemandian air panas", "hutan pinus", "surau tua", "jembatan gantung",
)  # fmt: skip
ILLNESSES = (
    "demam berdarah", "stunting", "diare", "campak", "tuberkulosis", "hipertensi", "diabetes",
    "ISPA", "cacingan",
)  # fmt: skip
PEOPLE = (
    "Afrizal", "Syafrizal", "Yusrizal", "Nurhayati", "Elfira", "Rini", "Desmawati", "Hendri",
    "Zulkifli", "Yulia", "Masrul", "Fitriani", "Darmawan", "Rosmaniar", "Irwan", "Syamsul",
)  # fmt: skip
TITLES_OF = ("Wali Nagari", "Kepala Desa", "Lurah", "Ketua KIM", "penyuluh", "bidan desa")
DAYS = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")
MONTHS = (
    "Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September",
    "Oktober", "November", "Desember",
)  # fmt: skip

# topic -> (sector slug, ADINDA tag, titles, opening sentences, body sentences)
TOPICS = {
    "pertanian": (
        "pertanian",
        "implementasi",
        (
            "Panen raya {tanaman} di {desa}, hasil naik {n} persen",
            "Kelompok tani {desa} belajar membuat pupuk organik",
            "Petani {tanaman} di {desa} mulai pakai irigasi tetes",
            "Harga {tanaman} turun, petani {desa} cari pasar baru",
            "Penyuluhan pertanian: mengendalikan hama {tanaman} tanpa racun",
            "Sekolah lapang petani {tanaman} dibuka di {desa}",
            "Gotong royong membersihkan saluran irigasi sawah {desa}",
        ),
        (
            "Kelompok tani di {desa} memanen {tanaman} pada hari {hari} bersama penyuluh "
            "pertanian dari {kab}.",
            "Sebanyak {n} petani {tanaman} di {desa} mengikuti pelatihan pertanian organik "
            "yang difasilitasi KIM {kim}.",
            "Petani di {desa} kini menanam {tanaman} dengan cara baru setelah belajar dari "
            "penyuluh pertanian.",
        ),
        (
            "Menurut {orang}, hasil panen musim ini lebih baik karena pemupukan dilakukan tepat "
            "waktu.",
            "Pupuk kompos dibuat dari jerami dan kotoran ternak yang ada di sekitar sawah.",
            "Penyuluh mengingatkan petani agar mencatat biaya tanam supaya keuntungan bisa "
            "dihitung.",
            "Air irigasi dibagi bergiliran antarjorong sesuai kesepakatan bersama.",
            "Kelompok wanita tani ikut mengolah hasil panen menjadi produk yang tahan lama.",
            "Harga {tanaman} di pasar nagari saat ini sekitar Rp{n}.000 per kilogram.",
            "Petani berharap pemerintah daerah membantu alat pengering dan bibit unggul.",
            "Hama wereng dan tikus dikendalikan bersama dengan memasang perangkap.",
            "Dinas pertanian {kab} mencatat luas tanam {tanaman} bertambah tahun ini.",
            "KIM {kim} menyebarkan jadwal tanam melalui grup WhatsApp jorong dan papan "
            "informasi nagari.",
        ),
    ),
    "pariwisata": (
        "pariwisata",
        "diseminasi",
        (
            "{wisata} di {desa} ramai dikunjungi saat libur sekolah",
            "Pemuda {desa} kelola paket wisata {wisata}",
            "Festival budaya {desa} menarik wisatawan dari luar daerah",
            "Homestay warga {desa} siap menyambut wisatawan",
            "Jalan menuju {wisata} {desa} diperbaiki",
        ),
        (
            "Objek wisata {wisata} di {desa}, {kab}, ramai dikunjungi wisatawan sejak hari {hari}.",
            "Kelompok sadar wisata {desa} bersama KIM {kim} menyiapkan paket wisata baru.",
            "Warga {desa} menggelar festival budaya yang dihadiri sekitar {n} pengunjung.",
        ),
        (
            "Pengelola menyediakan pemandu lokal yang menjelaskan sejarah nagari kepada "
            "pengunjung.",
            "Tiket masuk dijual Rp{n}.000 dan hasilnya dipakai untuk perawatan kawasan.",
            "Pedagang kuliner lokal ikut merasakan ramainya kunjungan wisatawan.",
            "Pengunjung diminta menjaga kebersihan dan membawa pulang sampahnya.",
            "Menurut {orang}, promosi lewat media sosial KIM membuat {wisata} makin dikenal.",
            "Dinas pariwisata {kab} menjanjikan pelatihan pemandu wisata tahun depan.",
            "Wisatawan dari Pekanbaru dan Jambi banyak datang pada akhir pekan.",
            "Rumah gadang di kawasan itu dibuka untuk pengunjung yang ingin belajar adat Minang.",
        ),
    ),
    "umkm": (
        "umkm",
        "implementasi",
        (
            "{produk} buatan ibu-ibu {desa} tembus pasar daring",
            "Pelatihan pemasaran digital untuk UMKM {desa}",
            "UMKM {desa} dapat sertifikat halal untuk {produk}",
            "Usaha {produk} di {desa} serap {n} tenaga kerja",
            "Bazar UMKM {desa} ramai pembeli",
        ),
        (
            "Pelaku UMKM di {desa} mulai menjual {produk} melalui lokapasar dengan bantuan "
            "KIM {kim}.",
            "Sebanyak {n} pelaku usaha kecil {desa} mengikuti pelatihan pemasaran digital.",
            "Kelompok usaha perempuan di {desa} memproduksi {produk} setiap hari.",
        ),
        (
            "{orang} mengatakan pesanan {produk} naik sejak dipasarkan lewat media sosial.",
            "Kemasan baru membuat {produk} lebih tahan lama dan menarik pembeli.",
            "Pelatihan membahas cara memotret produk dengan telepon genggam.",
            "Pengurus KIM membantu pelaku usaha membuat akun lokapasar dan mengisi deskripsi "
            "produk.",
            "Modal usaha berasal dari tabungan kelompok dan pinjaman KUR.",
            "Harga {produk} dijual Rp{n}.000 per bungkus.",
            "Dinas koperasi {kab} mendampingi pengurusan izin edar dan sertifikat halal.",
        ),
    ),
    "kesehatan": (
        "kesehatan",
        "diseminasi",
        (
            "Posyandu {desa} gelar pemeriksaan balita untuk cegah {penyakit}",
            "Warga {desa} diajak waspada {penyakit}",
            "Gotong royong berantas sarang nyamuk di {desa}",
            "Puskesmas buka layanan keliling di {desa}",
            "Bidan desa {desa} beri penyuluhan gizi ibu hamil",
        ),
        (
            "Kader posyandu {desa} memeriksa {n} balita dalam kegiatan bulanan hari {hari}.",
            "Puskesmas bersama KIM {kim} menyampaikan penyuluhan tentang {penyakit} kepada warga "
            "{desa}.",
            "Warga {desa} bergotong royong membersihkan lingkungan untuk mencegah {penyakit}.",
        ),
        (
            "Petugas kesehatan mengingatkan warga menguras tempat penampungan air seminggu sekali.",
            "Balita ditimbang, diukur tinggi badannya dan diberi makanan tambahan.",
            "Menurut {orang}, kesadaran warga memeriksakan kesehatan makin baik.",
            "Warga yang demam lebih dari tiga hari diminta segera ke puskesmas.",
            "Ibu hamil dianjurkan memeriksakan kandungan minimal enam kali.",
            "Informasi jadwal posyandu disebarkan melalui grup WhatsApp dan pengeras suara surau.",
            "Dinas kesehatan {kab} mencatat kasus {penyakit} menurun dibanding tahun lalu.",
        ),
    ),
    "hoaks": (
        "literasi-digital",
        "aspirasi",
        (
            "Klarifikasi: kabar bantuan tunai lewat tautan di WhatsApp adalah hoaks",
            "Hoaks soal {penyakit} beredar di grup warga {desa}, ini faktanya",
            "Cek fakta: tidak ada pungutan untuk pendaftaran bantuan di {desa}",
            "Waspada pesan berantai mengatasnamakan Wali Nagari {desa}",
            "Klarifikasi KIM {kim}: foto banjir yang beredar bukan dari {desa}",
        ),
        (
            "Pesan berantai yang beredar di grup WhatsApp warga {desa} sejak hari {hari} "
            "dipastikan tidak benar.",
            "KIM {kim} menerima laporan warga tentang kabar yang meresahkan dan memeriksanya "
            "bersama pemerintah nagari.",
        ),
        (
            "Dinas kominfo {kab} memastikan tidak pernah menyebarkan tautan pendaftaran tersebut.",
            "Warga diminta tidak membagikan pesan sebelum memeriksa sumbernya.",
            "Tautan dalam pesan itu mengarah ke situs yang meminta data pribadi dan kode OTP.",
            "Menurut {orang}, pesan serupa pernah beredar tahun lalu dengan nama daerah berbeda.",
            "Informasi resmi hanya disampaikan melalui kanal pemerintah dan KIM.",
            "Warga yang menerima pesan mencurigakan dapat melapor ke KIM atau ke SP4N-LAPOR!.",
            "Foto yang beredar ternyata diambil di daerah lain beberapa tahun lalu.",
        ),
    ),
    "lingkungan": (
        "lingkungan",
        "implementasi",
        (
            "Bank sampah {desa} kumpulkan {n} kilogram plastik",
            "Warga {desa} tanam {n} bibit pohon di hulu sungai",
            "Sungai di {desa} dibersihkan bersama",
        ),
        (
            "Warga {desa} bersama KIM {kim} menggelar aksi lingkungan pada hari {hari}.",
            "Bank sampah yang dikelola pemuda {desa} kini punya {n} nasabah.",
        ),
        (
            "Sampah plastik dipilah lalu dijual ke pengepul di {kab}.",
            "Hasil penjualan dicatat dalam buku tabungan nasabah bank sampah.",
            "Menurut {orang}, sungai yang bersih penting untuk irigasi sawah dan perikanan.",
            "Bibit pohon disediakan oleh dinas lingkungan hidup {kab}.",
        ),
    ),
}

COMMENTS = (
    "Terima kasih informasinya, sangat bermanfaat untuk warga.",
    "Semoga kegiatan seperti ini terus berlanjut.",
    "Mohon info jadwal berikutnya, kami ingin ikut.",
    "Mantap, KIM makin aktif memberi kabar dari nagari.",
    "Apakah ada kontak pengurus yang bisa dihubungi?",
    "Sudah saya bagikan ke grup keluarga.",
)


def fill(template, rng, *, desa, kim, kab):
    """One template with its placeholders filled from `rng` (unused ones are ignored)."""
    return template.format(
        desa=desa,
        kim=kim,
        kab=kab,
        orang=f"{rng.choice(TITLES_OF)} {rng.choice(PEOPLE)}",
        tanaman=rng.choice(CROPS),
        produk=rng.choice(PRODUCTS),
        wisata=rng.choice(SIGHTS).capitalize(),
        penyakit=rng.choice(ILLNESSES),
        n=rng.randint(12, 480),
        hari=rng.choice(DAYS),
        bulan=rng.choice(MONTHS),
    )


def article_text(rng, topic, *, desa, kim, kab, paragraphs=(3, 5)):
    """(title, summary, [paragraph]) for one article about `topic`."""
    _sector, _adinda, titles, openings, sentences = TOPICS[topic]
    names = {"desa": desa, "kim": kim, "kab": kab}
    title = fill(rng.choice(titles), rng, **names)
    title = title[0].upper() + title[1:]
    opening = fill(rng.choice(openings), rng, **names)
    body = [opening]
    for _ in range(rng.randint(*paragraphs) - 1):
        picked = rng.sample(sentences, min(len(sentences), rng.randint(2, 3)))
        body.append(" ".join(fill(s, rng, **names) for s in picked))
    return title, opening, body

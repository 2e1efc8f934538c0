"""Simpul: the digital home of Kelompok Informasi Masyarakat (KIM)."""

__version__ = "0.1.0"

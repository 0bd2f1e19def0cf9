"""C sources and templates that go into generated firmware projects (package data only)."""
from pathlib import Path

ROOT = Path(__file__).resolve().parent

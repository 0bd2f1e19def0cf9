"""Running generated firmware on emulators: QEMU (qemu.py) and Renode (renode.py).

Both read the firmware's UART line protocol (protocol.py) into the same SimReport.
"""


def _engine(module: str):
    def run(project_dir, **options):
        from importlib import import_module
        return import_module(f"{__name__}.{module}").simulate(project_dir, **options)
    return run


# engine name -> simulate(project_dir, timeout=...) -> SimReport (modules imported when first run)
SIMULATORS = {"qemu": _engine("qemu"), "renode": _engine("renode")}

"""Running generated firmware on emulators: QEMU (qemu.py) and Renode (renode.py).

Both read the firmware's UART line protocol (protocol.py) into the same SimReport.
"""

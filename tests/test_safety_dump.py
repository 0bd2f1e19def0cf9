"""`firmware --dump-layers` prints every layer's output in a second, untimed pass: the headline
instructions per inference (and energy) are the same as without the dump (issue 6, defect 5)."""
from conftest import requires_arm_gcc, requires_qemu


@requires_arm_gcc
@requires_qemu
def test_dump_layers_does_not_count_printing_as_inference(tiny_int8, tmp_path):
    from tinycompress.firmware.build import build
    from tinycompress.firmware.project import generate_project
    from tinycompress.simulate.qemu import simulate
    reports = {}
    for dump in (False, True):
        out = tmp_path / f"fw{int(dump)}"
        generate_project(tiny_int8[0], "mps2-an386", out, vectors=2, dump_layers=dump)
        build(out)
        reports[dump] = simulate(out, timeout=60)
        assert reports[dump].ok, reports[dump].failure
    plain, dumped = reports[False], reports[True]
    assert len(dumped.dumps) > 0 and not plain.dumps
    # the dump build differs by one branch per layer; the printing was +32 % on one model
    ratio = dumped.instructions_per_inference / plain.instructions_per_inference
    assert 0.99 <= ratio <= 1.01, (dumped.instructions_per_inference, plain.instructions_per_inference)
    for a, b in zip(plain.layers, dumped.layers):
        assert abs(a.instructions - b.instructions) <= plain.insns_per_tick + 0.05 * a.instructions, (a, b)

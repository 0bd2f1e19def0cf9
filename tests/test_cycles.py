"""The cycle ESTIMATE: instruction classes, block pricing with the TRM timings, the QEMU block
log's window per layer, and on a real firmware the traced instruction counts equal SysTick's."""
import json

import pytest

from tinycompress.simulate.cycles import (CORES, MEMORIES, block_cycles, classify, estimate,
                                          estimate_project, parse_log)

from conftest import requires_arm_gcc, requires_qemu

M4 = CORES["cortex-m4"]


@pytest.mark.parametrize("mnemonic, operands, kind", [
    ("smlad", "r3, r4, r5, r3", "mul"), ("muls", "r0, r1, r0", "mul"),
    ("sxtb16", "r2, r6, ror #8", "alu"), ("ldr.w", "r4, [r1], #4", "load"),
    ("ldrsb", "r3, [r2, #1]", "load"), ("strbge", "r3, [r0]", "store"),
    ("ldrd", "r4, r5, [r1, #8]", "pair"), ("push", "{r4, r5, r6, lr}", "store_multi"),
    ("pop", "{r4-r7, pc}", "load_multi"), ("bne", "#0x1c", "branch"),
    ("cbz", "r0, #0x40", "branch"), ("itt", "ne", "it"), ("sdiv", "r0, r1, r2", "div"),
    ("vmov", "s0, r1", "fp"), ("bics", "r0, r1", "alu"), ("bl", "#0x1c50", "branch"),
])
def test_classify_names_the_instruction_class(mnemonic, operands, kind):
    assert classify(mnemonic, operands).kind == kind


def test_register_lists_and_pc_writes_are_read():
    pop = classify("pop", "{r4-r7, pc}")
    assert pop.regs == 5 and pop.writes_pc
    assert classify("push", "{r4, lr}").regs == 2 and not classify("push", "{r4, lr}").writes_pc
    assert classify("bne", "#0x10").cond and not classify("b.w", "#0x10").cond
    assert classify("addne", "r0, r1").cond


def _block(*lines):
    return [classify(m, ops, 0x100 + 2 * i) for i, (m, ops) in enumerate(lines)]


def test_m4_prices_loads_pipelining_and_taken_branches():
    loop = _block(("ldr", "r3, [r1], #4"), ("ldr", "r4, [r2], #4"), ("smlad", "r0, r3, r4, r0"),
                  ("subs", "r5, #1"), ("bne", "#0x100"))
    # first load 2, the next pipelined 1, smlad 1, subs 1, bne 1 (+P=2 when taken)
    assert block_cycles(loop, taken=True, core=M4) == 2 + 1 + 1 + 1 + 1 + 2
    assert block_cycles(loop, taken=False, core=M4) == 2 + 1 + 1 + 1 + 1
    # a load whose address register the instruction before wrote stalls one cycle
    dep = _block(("adds", "r1, r1, r2"), ("ldr", "r3, [r1]"))
    assert block_cycles(dep, taken=False, core=M4) == 1 + 2 + 1
    # pop with pc: 1 + N + P
    assert block_cycles(_block(("pop", "{r4, pc}")), taken=True, core=M4) == 1 + 2 + 2
    # the M7 row prices the same block lower (dual issue, no load latency in the row)
    assert block_cycles(loop, True, CORES["cortex-m7"]) < block_cycles(loop, True, M4)


LOG = """\
----------------
IN: main
0x00000100:  f000 f800  bl       #0x200

Trace 0: 0x7f0000000100 [00000000/00000100/00000110/ff020200] main
----------------
IN: tc_invoke
0x00000200:  b510       push     {r4, lr}
0x00000202:  f000 f800  bl       #0x300

Trace 0: 0x7f0000000200 [00000000/00000200/00000110/ff020200] tc_invoke
----------------
IN: kernel
0x00000300:  3b01       subs     r3, #1
0x00000302:  d1fd       bne      #0x300

Trace 0: 0x7f0000000300 [00000000/00000300/00000110/ff020200] kernel
Trace 0: 0x7f0000000300 [00000000/00000300/00000110/ff020200] kernel
----------------
IN: kernel
0x00000304:  4770       bx       lr

Trace 0: 0x7f0000000400 [00000000/00000304/00000110/ff020200] kernel
----------------
IN: tc_invoke
0x00000206:  f000 f800  bl       #0x500

Trace 0: 0x7f0000000500 [00000000/00000206/00000110/ff020200] tc_invoke
----------------
IN: tc_layer_done
0x00000500:  4770       bx       lr

Trace 0: 0x7f0000000600 [00000000/00000500/00000110/ff020200] tc_layer_done
----------------
IN: tc_invoke
0x0000020a:  bd10       pop      {r4, pc}

Trace 0: 0x7f0000000700 [00000000/0000020a/00000110/ff020200] tc_invoke
Trace 0: 0x7f0000000100 [00000000/00000100/00000110/ff020200] main
Trace 0: 0x7f0000000200 [00000000/00000200/00000110/ff020200] tc_invoke
"""

SYMBOLS = {"tc_invoke": 0x200, "tc_layer_done": 0x500,
           "_in_hook": lambda pc: 0x500 <= pc < 0x510, "_in_main": lambda pc: 0x100 <= pc < 0x110}


def test_log_window_counts_one_inference_per_layer_without_the_hook():
    prof = parse_log(LOG.splitlines(), SYMBOLS)
    assert prof.layer_count == 1
    est = estimate(prof)
    # push, bl | subs, bne (taken) | subs, bne (not taken) | bx | bl | (hook left out) | pop:
    # main's blocks and the second tc_invoke call are outside the window
    assert est.instructions == 2 + 2 + 2 + 1 + 1 + 1
    assert est.mix()["branch"] == 5
    taken, fall = block_cycles(prof.blocks["0x7f0000000300"], True, M4), \
        block_cycles(prof.blocks["0x7f0000000300"], False, M4)
    assert taken == fall + M4.refill
    expected = (3 + (1 + 2)) + taken + fall + (1 + 2) + (1 + 2) + (1 + 2 + 2)
    assert est.cycles("cortex-m4") == expected


def _with_stalls(log):
    """The plugin writes TCSTALL at the start of the next block: each line below belongs to
    the execution before the Trace line it follows."""
    lines = []
    for line in log.splitlines():
        lines.append(line)
        if line.startswith("Trace") and line.endswith("kernel"):
            lines.append("TCSTALL 7")            # after kernel's Trace: tc_invoke's push, bl
        if line.startswith("Trace") and "tc_layer_done" in line:
            lines.append("TCSTALL 5")            # tc_invoke's bl (layer 0)
        if line.startswith("Trace") and line.endswith("main"):
            lines.append("TCSTALL 1000")         # main's: outside the window
    return lines


def test_flash_stalls_are_added_to_the_block_before_them_inside_the_window():
    prof = parse_log(_with_stalls(LOG), SYMBOLS)
    est = estimate(prof, memory="stm32l4r5-120mhz")
    # three kernel Trace lines: 7 after each (push/bl, subs/bne, subs/bne), 5 after the hook's;
    # the stall after main's first Trace line belongs to nothing (before the window); the
    # one after main's second Trace belongs to tc_invoke's pop (the last layer)
    assert prof.stalls[0] == 7 * 3 + 5 + 1000
    assert est.stall == 7 * 3 + 5 + 1000
    assert est.cycles_on_board("cortex-m4") == est.cycles("cortex-m4") + est.stall
    assert est.as_dict()["flash_wait_cycles"] == est.stall
    assert "flash wait" in est.lines("cortex-m4")[-1]
    assert estimate(parse_log(LOG.splitlines(), SYMBOLS)).stall == 0


def test_memory_rows_cite_their_source_and_reject_unknown_names():
    from tinycompress.errors import TinyCompressError
    from tinycompress.simulate.cycles import memory_timing
    row = MEMORIES["stm32l4r5-120mhz"]
    assert row.wait_states == 5 and "RM0432" in row.source
    assert "ws=5" in row.plugin_args(0, 0x400000) and "flash=0x0:0x400000" in row.plugin_args(0, 0x400000)
    with pytest.raises(TinyCompressError, match="no flash timing row"):
        memory_timing("nope")


@requires_arm_gcc
@requires_qemu
def test_flash_wait_states_traced_by_the_qemu_plugin(tiny_int8, tmp_path, run_cli):
    """The plugin sees the real loads: every weight byte comes from flash at least once per
    inference, so at least (weight bytes / line - cached lines) reads stall their wait
    states; with zero wait states nothing is added; the run itself is not changed."""
    import dataclasses
    from tinycompress.firmware.build import build
    from tinycompress.firmware.project import generate_project, load_project

    project = tmp_path / "p"
    generate_project(tiny_int8[0], "mps2-an386", project, vectors=1)
    build(project)
    row = MEMORIES["stm32l4r5-120mhz"]
    board = estimate_project(project, timeout=60, memory=row)
    zero = estimate_project(project, timeout=60, memory=dataclasses.replace(row, wait_states=0))
    assert board.instructions == zero.instructions
    assert board.cycles("cortex-m4") == zero.cycles("cortex-m4")
    assert zero.stall == 0
    weights = load_project(project)["weight_bytes"]
    assert weights > 64 * row.line_bytes
    assert board.stall >= row.wait_states * (weights / row.line_bytes - row.dcache_lines)
    assert board.memory == "stm32l4r5-120mhz"
    result = run_cli("simulate", str(project), "--cycles", "--flash-timing", row.name, "--json")
    assert result.exit_code == 0, result.output
    reported = json.loads(result.output)["cycles_estimate"]
    assert reported["memory"] == row.name and reported["flash_wait_cycles"] == board.stall
    assert "no flash timing row" in run_cli("simulate", str(project), "--cycles",
                                            "--flash-timing", "nope").output


@requires_arm_gcc
@requires_qemu
def test_traced_instructions_match_systick_per_layer(tmp_path, run_cli):
    from tinycompress.firmware.build import build
    from fwtiny import tiny_project
    from tinycompress.simulate.qemu import simulate

    project = tiny_project(tmp_path / "p", vectors=2).path
    build(project)
    sim = simulate(project, timeout=30)
    est = estimate_project(project, timeout=60)
    assert [l.index for l in est.layers] == [l.index for l in sim.layers]
    for traced, timed in zip(est.layers, sim.layers):
        # SysTick counts in steps of 40 instructions and includes the hook's tick read
        assert abs(traced.instructions - timed.instructions) <= 80
    assert est.cycles("cortex-m4") > est.instructions
    assert est.as_dict()["label"] == "estimate"
    result = run_cli("simulate", str(project), "--cycles", "--json")
    assert result.exit_code == 0, result.output
    reported = json.loads(result.output)["cycles_estimate"]
    assert reported["label"] == "estimate" and reported["instructions"] == est.instructions
    assert reported["cycles_estimate"]["cortex-m4"] == est.cycles("cortex-m4")
    text = run_cli("simulate", str(project), "--cycles").output
    assert "cycles (estimate, cortex-m4" in text and "per inference:" in text
    assert run_cli("simulate", str(project), "--cycles", "--engine", "renode").exit_code == 1

/* QEMU TCG plugin (host side, built by tinycompress.simulate.memory): the flash wait-state
 * stalls a board's flash accelerator would add, from the addresses QEMU really fetched and
 * loaded. It never changes what the guest computes.
 *
 * Model (one row of simulate/memory.py MEMORIES, passed as arguments):
 *   flash=LO:HI    the guest addresses that are flash on the target (code and const data)
 *   ws=N           wait states of one flash read (the CPU waits N extra cycles)
 *   line=B         bytes one flash read returns (64-bit or 128-bit read width)
 *   icache=N       instruction cache: N lines of B bytes, LRU, fully associative
 *   dcache=N       data cache (literal/constant loads over DCode), the same
 *   prefetch=0|1   the next sequential instruction line is read while the current one runs
 * An instruction fetch from a line that is not the current one, not the prefetched one and
 * not cached stalls ws cycles; a prefetched line stalls the wait states that the previous
 * line's instructions (one cycle each at least) did not cover. A load from flash outside the
 * current data line and the data cache stalls ws cycles. Loads from RAM and stores cost
 * nothing extra here.
 *
 * Output: "TCSTALL <cycles>" lines in QEMU's log (-d plugin), written at the start of the
 * next translated block, so each one belongs to the block executed before the latest
 * "Trace" line. Only the plugin API's C functions are used; the declarations below are
 * written from QEMU's documented plugin API (version 1, QEMU 7.x).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef uint64_t qemu_plugin_id_t;
typedef uint32_t qemu_plugin_meminfo_t;
struct qemu_plugin_tb;
struct qemu_plugin_insn;
enum { CB_NO_REGS = 0 };
/* Read-only registration (R) is not honoured by QEMU 7.2 on Arm; register for reads and
 * writes (RW) and drop stores in the callback. */
enum { MEM_RW = 3 };

typedef void (*tb_trans_cb_t)(qemu_plugin_id_t, struct qemu_plugin_tb *);
typedef void (*udata_cb_t)(unsigned int vcpu, void *udata);
typedef void (*mem_cb_t)(unsigned int vcpu, qemu_plugin_meminfo_t info, uint64_t vaddr,
                         void *udata);

void qemu_plugin_register_vcpu_tb_trans_cb(qemu_plugin_id_t, tb_trans_cb_t);
void qemu_plugin_register_vcpu_tb_exec_cb(struct qemu_plugin_tb *, udata_cb_t, int, void *);
void qemu_plugin_register_vcpu_insn_exec_cb(struct qemu_plugin_insn *, udata_cb_t, int, void *);
void qemu_plugin_register_vcpu_mem_cb(struct qemu_plugin_insn *, mem_cb_t, int, int, void *);
size_t qemu_plugin_tb_n_insns(const struct qemu_plugin_tb *);
struct qemu_plugin_insn *qemu_plugin_tb_get_insn(const struct qemu_plugin_tb *, size_t);
uint64_t qemu_plugin_insn_vaddr(const struct qemu_plugin_insn *);
size_t qemu_plugin_insn_size(const struct qemu_plugin_insn *);
void qemu_plugin_outs(const char *);
int qemu_plugin_mem_is_store(qemu_plugin_meminfo_t);   /* bool in the API: returned in al */

__attribute__((visibility("default"))) int qemu_plugin_version = 1;

#define MAX_LINES 256

typedef struct {
    uint64_t tag[MAX_LINES];
    uint64_t used[MAX_LINES];   /* last use, for LRU */
    int n;
    uint64_t clock;
} cache_t;

static uint64_t flash_lo, flash_hi;
static unsigned ws = 0, line_bytes = 8, prefetch = 0;
static cache_t icache, dcache;
static uint64_t cur_iline = UINT64_MAX, prefetched = UINT64_MAX, cur_dline = UINT64_MAX;
static uint64_t insns_on_line;     /* instructions run from the current instruction line */
static uint64_t pending;           /* stall cycles of the block being executed */

/* Whether `tag` is cached; inserts it (evicting the least recently used) when not. */
static int cache_lookup(cache_t *c, uint64_t tag)
{
    int i, victim = 0;
    c->clock++;
    if (c->n == 0)
        return 0;
    for (i = 0; i < c->n; i++) {
        if (c->tag[i] == tag) {
            c->used[i] = c->clock;
            return 1;
        }
        if (c->used[i] < c->used[victim])
            victim = i;
    }
    c->tag[victim] = tag;
    c->used[victim] = c->clock;
    return 0;
}

static int in_flash(uint64_t a) { return a >= flash_lo && a < flash_hi; }

static void fetch_line(uint64_t line)
{
    if (line == cur_iline)
        return;
    if (cache_lookup(&icache, line)) {
        /* cached: no flash read */
    } else if (prefetch && line == prefetched) {
        /* its read began with the previous line's: the wait states the previous line's
         * instructions (one cycle each at least) did not cover */
        if (insns_on_line < ws)
            pending += ws - insns_on_line;
    } else {
        pending += ws;
    }
    cur_iline = line;
    prefetched = line + 1;
    insns_on_line = 0;
}

static void on_insn(unsigned int vcpu, void *udata)
{
    uint64_t pc = (uint64_t)(uintptr_t)udata >> 3, size = (uintptr_t)udata & 7;
    (void)vcpu;
    if (!in_flash(pc))
        return;
    fetch_line(pc / line_bytes);
    if ((pc + size - 1) / line_bytes != pc / line_bytes)   /* a 32-bit insn across lines */
        fetch_line((pc + size - 1) / line_bytes);
    insns_on_line++;
}

static void on_mem(unsigned int vcpu, qemu_plugin_meminfo_t info, uint64_t vaddr, void *udata)
{
    uint64_t line = vaddr / line_bytes;
    (void)vcpu; (void)udata;
    if (!in_flash(vaddr) || line == cur_dline || (qemu_plugin_mem_is_store(info) & 0xff))
        return;
    if (!cache_lookup(&dcache, line))
        pending += ws;
    cur_dline = line;
}

static void on_tb(unsigned int vcpu, void *udata)
{
    char buf[40];
    (void)vcpu; (void)udata;
    if (pending) {
        snprintf(buf, sizeof buf, "TCSTALL %llu\n", (unsigned long long)pending);
        qemu_plugin_outs(buf);
        pending = 0;
    }
}

static void on_translate(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
    size_t i, n = qemu_plugin_tb_n_insns(tb);
    (void)id;
    qemu_plugin_register_vcpu_tb_exec_cb(tb, on_tb, CB_NO_REGS, NULL);
    for (i = 0; i < n; i++) {
        struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);
        uintptr_t packed = (uintptr_t)(qemu_plugin_insn_vaddr(insn) << 3)
                           | (qemu_plugin_insn_size(insn) & 7);
        qemu_plugin_register_vcpu_insn_exec_cb(insn, on_insn, CB_NO_REGS, (void *)packed);
        qemu_plugin_register_vcpu_mem_cb(insn, on_mem, CB_NO_REGS, MEM_RW, NULL);
    }
}

__attribute__((visibility("default")))
int qemu_plugin_install(qemu_plugin_id_t id, const void *info, int argc, char **argv)
{
    int i;
    (void)info;
    for (i = 0; i < MAX_LINES; i++)
        icache.tag[i] = dcache.tag[i] = UINT64_MAX;
    for (i = 0; i < argc; i++) {
        const char *a = argv[i];
        unsigned long long lo, hi;
        if (sscanf(a, "flash=%lli:%lli", &lo, &hi) == 2) {
            flash_lo = lo;
            flash_hi = hi;
        } else if (!strncmp(a, "ws=", 3)) {
            ws = (unsigned)atoi(a + 3);
        } else if (!strncmp(a, "line=", 5)) {
            line_bytes = (unsigned)atoi(a + 5);
        } else if (!strncmp(a, "icache=", 7)) {
            icache.n = atoi(a + 7);
        } else if (!strncmp(a, "dcache=", 7)) {
            dcache.n = atoi(a + 7);
        } else if (!strncmp(a, "prefetch=", 9)) {
            prefetch = (unsigned)atoi(a + 9);
        } else {
            fprintf(stderr, "qemu_memstall: unknown argument %s\n", a);
            return -1;
        }
    }
    if (line_bytes == 0 || icache.n > MAX_LINES || dcache.n > MAX_LINES || icache.n < 0
        || dcache.n < 0) {
        fprintf(stderr, "qemu_memstall: line must be > 0 and caches at most %d lines\n", MAX_LINES);
        return -1;
    }
    qemu_plugin_register_vcpu_tb_trans_cb(id, on_translate);
    return 0;
}

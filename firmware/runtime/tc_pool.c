/* int8 pooling as TFLM's reference integer kernels compute it: the window is clipped to the
 * input (padding is not counted), the average rounds half away from zero. */
#include "tc_pool.h"

#include "tc_runtime.h"

static int32_t max_i32(int32_t a, int32_t b) { return a > b ? a : b; }
static int32_t min_i32(int32_t a, int32_t b) { return a < b ? a : b; }

static void pool(const tc_pool_params *p, const int8_t *input, int8_t *out, int average) {
    int32_t b, oy, ox, c, fy, fx;
    for (b = 0; b < p->batches; b++) {
        const int8_t *in_b = input + (int32_t)b * p->in_h * p->in_w * p->channels;
        for (oy = 0; oy < p->out_h; oy++) {
            const int32_t y0 = oy * p->stride_h - p->pad_h;
            const int32_t fy0 = max_i32(0, -y0), fy1 = min_i32(p->filter_h, p->in_h - y0);
            for (ox = 0; ox < p->out_w; ox++) {
                const int32_t x0 = ox * p->stride_w - p->pad_w;
                const int32_t fx0 = max_i32(0, -x0), fx1 = min_i32(p->filter_w, p->in_w - x0);
                for (c = 0; c < p->channels; c++) {
                    int32_t acc = average ? 0 : -128, count = 0;
                    for (fy = fy0; fy < fy1; fy++) {
                        const int8_t *row = in_b + ((y0 + fy) * p->in_w + x0) * p->channels + c;
                        for (fx = fx0; fx < fx1; fx++) {
                            int32_t v = row[fx * p->channels];
                            if (average) {
                                acc += v;
                            } else if (v > acc) {
                                acc = v;
                            }
                            count++;
                        }
                    }
                    if (average && count > 0) {
                        acc = acc > 0 ? (acc + count / 2) / count : (acc - count / 2) / count;
                    }
                    *out++ = (int8_t)tc_clamp(acc, p->act_min, p->act_max);
                }
            }
        }
    }
}

void tc_avgpool_s8(const tc_pool_params *p, const int8_t *const *in, int8_t *out, int8_t *scratch) {
    (void)scratch;
    pool(p, in[0], out, 1);
}

void tc_maxpool_s8(const tc_pool_params *p, const int8_t *const *in, int8_t *out, int8_t *scratch) {
    (void)scratch;
    pool(p, in[0], out, 0);
}

/* tinycompress native runtime: int8 ADD, SUB, MUL, MAXIMUM and MINIMUM with 4-D broadcasting. */
#ifndef TC_ELEMENTWISE_H
#define TC_ELEMENTWISE_H

#include <stdint.h>

typedef struct {
    int32_t dims[4];                    /* output shape, extended to 4-D */
    int32_t strides1[4], strides2[4];   /* input element strides per output dim; 0 broadcasts */
    int32_t input1_offset, input2_offset, output_offset;
    int32_t input1_multiplier, input1_shift, input2_multiplier, input2_shift;
    int32_t output_multiplier, output_shift, left_shift;
    int32_t act_min, act_max;
    /* each input's rescale, tc_requantize((v + offset) << left_shift, multiplier, shift),
       for every int8 v, indexed by its byte (uint8_t)v: computed at generation time */
    const int32_t *table1, *table2;
} tc_add_params;

typedef struct {
    int32_t dims[4];
    int32_t strides1[4], strides2[4];
    int32_t input1_offset, input2_offset, output_offset;
    int32_t output_multiplier, output_shift;
    int32_t act_min, act_max;
} tc_mul_params;

/* MAXIMUM / MINIMUM compare the raw int8 values (TFLM does not requantize). */
typedef struct {
    int32_t dims[4];
    int32_t strides1[4], strides2[4];
} tc_minmax_params;

void tc_add_s8(const tc_add_params *p, const int8_t *const *in, int8_t *out, int8_t *scratch);
void tc_mul_s8(const tc_mul_params *p, const int8_t *const *in, int8_t *out, int8_t *scratch);
/* SUB takes ADD's parameters (TFLM computes them alike) and subtracts the scaled inputs. */
void tc_sub_s8(const tc_add_params *p, const int8_t *const *in, int8_t *out, int8_t *scratch);
void tc_maximum_s8(const tc_minmax_params *p, const int8_t *const *in, int8_t *out, int8_t *scratch);
void tc_minimum_s8(const tc_minmax_params *p, const int8_t *const *in, int8_t *out, int8_t *scratch);

#endif /* TC_ELEMENTWISE_H */

# TFLite-Micro for a tinycompress firmware project: include paths, defines and the library.
# Included by the project's Makefile; reusable in your own (set TFLM_ARCH first).
#
# TFLM_DIR is a TFLite-Micro tree in one of two layouts:
#  (a) a tflite-micro checkout in which the library was built for this board:
#        make -f tensorflow/lite/micro/tools/make/Makefile TARGET=cortex_m_generic \
#             TARGET_ARCH=$(TFLM_ARCH) BUILD_TYPE=release [OPTIMIZED_KERNEL_DIR=cmsis_nn] microlite
#      headers    $(TFLM_DIR)/tensorflow/lite/micro/..., and the third-party headers that make
#                 downloads: $(TFLM_DIR)/tensorflow/lite/micro/tools/make/downloads/
#                 {flatbuffers/include,gemmlowp,ruy}
#      library    $(TFLM_DIR)/gen/cortex_m_generic_$(TFLM_ARCH)_<build type>[_cmsis_nn]_gcc/lib/
#                 libtensorflow-microlite.a (TFLM's Makefile writes gen/ where it runs: the checkout
#                 root; older TFLM wrote tensorflow/lite/micro/tools/make/gen/, also searched)
#  (b) a folder with the same headers at $(TFLM_DIR)/tensorflow/..., the third-party ones at
#      $(TFLM_DIR)/third_party/{flatbuffers/include,gemmlowp,ruy} (the layout of TFLM's
#      create_tflm_tree.py), and the library at $(TFLM_DIR)/lib/ or $(TFLM_DIR)/.
# TFLM_LIB names the library directly; needed when several are found.
#
# The library must be built for the board's CPU and float ABI (TARGET_ARCH above). The glue
# is compiled with TF_LITE_STATIC_MEMORY and -funsigned-char (as TFLM's cortex_m_generic build
# is) and with TF_LITE_STRIP_ERROR_STRINGS, which links against release and default libraries
# alike (a release library has no MicroPrintf; the glue then calls none), and with -DNDEBUG
# as TFLM's release library is: otherwise FLATBUFFERS_ASSERT in TFLM's inline functions calls
# newlib's assert, which pulls stdio, malloc and _sbrk into the image. TFLM_NDEBUG=0 keeps the
# asserts (for a debug library): the board code's __assert_func (board/assert.c) then prints
# TC:FAULT and stops.

TFLM_DIR ?=
TFLM_LIB ?=
TFLM_DEBUG_LOG ?= 1
TFLM_NDEBUG ?= 1

TFLM_DOWNLOADS := $(TFLM_DIR)/tensorflow/lite/micro/tools/make/downloads
TFLM_INCLUDES := $(if $(strip $(TFLM_DIR)),-I$(TFLM_DIR) \
                 -I$(TFLM_DOWNLOADS)/flatbuffers/include -I$(TFLM_DOWNLOADS)/gemmlowp -I$(TFLM_DOWNLOADS)/ruy \
                 -I$(TFLM_DIR)/third_party/flatbuffers/include -I$(TFLM_DIR)/third_party/gemmlowp \
                 -I$(TFLM_DIR)/third_party/ruy)
# As TFLM's cortex_m_generic target compiles the library (its headers' inline code must agree),
# plus the glue's own switches (TC_*).
TFLM_DEFINES := -DTF_LITE_STATIC_MEMORY -DTF_LITE_STRIP_ERROR_STRINGS -DTF_LITE_MCU_DEBUG_LOG \
                -funsigned-char -DTC_TFLM_EARLY_SETUP
ifeq ($(TFLM_NDEBUG),1)
TFLM_DEFINES += -DNDEBUG
endif
ifeq ($(TFLM_DEBUG_LOG),1)
TFLM_DEFINES += -DTC_TFLM_DEBUG_LOG
endif
TFLM_LDFLAGS := -Wl,--wrap=tc_ticks_init

# The library: TFLM_LIB, else the first of these places that holds any; it must hold one.
ifeq ($(strip $(TFLM_LIB))$(if $(strip $(TFLM_DIR)),,none),)
TFLM_FOUND := $(or $(wildcard $(TFLM_DIR)/lib/libtensorflow-microlite.a),\
                   $(wildcard $(TFLM_DIR)/libtensorflow-microlite.a),\
                   $(wildcard $(TFLM_DIR)/gen/cortex_m_generic_$(TFLM_ARCH)_*/lib/libtensorflow-microlite.a),\
                   $(wildcard $(TFLM_DIR)/tensorflow/lite/micro/tools/make/gen/cortex_m_generic_$(TFLM_ARCH)_*/lib/libtensorflow-microlite.a))
ifeq ($(words $(TFLM_FOUND)),1)
TFLM_LIB := $(TFLM_FOUND)
endif
endif

TFLM_HINT := build TFLite-Micro with `make -f tensorflow/lite/micro/tools/make/Makefile TARGET=cortex_m_generic TARGET_ARCH=$(TFLM_ARCH) BUILD_TYPE=release microlite` in a tflite-micro checkout, then `make TFLM_DIR=<checkout>` (or TFLM_LIB=<the .a>)
ifeq ($(strip $(TFLM_DIR)),)
TFLM_MISSING := TFLM_DIR is not set: this project runs on TFLite-Micro; $(TFLM_HINT)
else ifeq ($(wildcard $(TFLM_DIR)/tensorflow/lite/micro/micro_interpreter.h),)
TFLM_MISSING := TFLM_DIR=$(TFLM_DIR) has no tensorflow/lite/micro/micro_interpreter.h; $(TFLM_HINT)
else ifeq ($(strip $(TFLM_LIB)),)
TFLM_MISSING := $(if $(TFLM_FOUND),several libraries for $(TFLM_ARCH) under TFLM_DIR ($(TFLM_FOUND)): set TFLM_LIB to one,no libtensorflow-microlite.a for $(TFLM_ARCH) under TFLM_DIR=$(TFLM_DIR)); $(TFLM_HINT)
else ifeq ($(wildcard $(TFLM_LIB)),)
TFLM_MISSING := TFLM_LIB=$(TFLM_LIB): no such file; $(TFLM_HINT)
endif

# Targets that need TFLM depend on this (order-only): it stops make with the reason above.
.PHONY: tflm-check
tflm-check:
	$(if $(TFLM_MISSING),$(error $(TFLM_MISSING)))

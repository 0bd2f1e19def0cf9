"""Firmware generation: boards, projects and the native ahead-of-time runtime (native/)."""

//! p2psim-mechanisms: pluggable mechanisms and policies (under construction).

//! p2psim-sim: the network simulation layer (under construction).

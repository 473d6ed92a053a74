//! Value-added evaluation (§4).

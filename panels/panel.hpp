#pragma once
// The contract every view follows: it draws from the newest snapshot and the one AppState,
// and owns nothing but small caches keyed by the snapshot's version.

#pragma once

namespace costdeck::assets {
// The default price table (assets/prices.json), compiled in.
extern const char* const kPricesJson;
}  // namespace costdeck::assets

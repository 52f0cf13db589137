#include "panels/panel.hpp"

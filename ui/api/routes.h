#pragma once
// The route table of gps-ui: every URL the server answers, in one place (ui/README.md documents
// them). Thread-safety: call once before serving. `handlers` must outlive `router`.

#include "ui/api/handlers.h"
#include "ui/api/router.h"

namespace gps::ui {

void AddRoutes(Router& router, ApiHandlers& handlers);

}  // namespace gps::ui

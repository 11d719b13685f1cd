#include "engine/saga/command.h"

namespace gps::engine {

void Emit(std::vector<Command>& commands, Command command) {
  commands.push_back(std::move(command));
}

}  // namespace gps::engine

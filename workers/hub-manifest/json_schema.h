#pragma once
// JsonSchema: a validator for the part of JSON Schema (draft-04 / draft-07) that the IoT Edge
// deployment schemas of the Azure IoT CLI use (schemas/, see README.md): type (a name or a list),
// enum, required, properties, patternProperties, additionalProperties (false or a schema),
// pattern, minimum, maximum, items (one schema for every element), anyOf, and $ref to a place in
// the same document ("#/definitions/moduleType").
//
// Annotations ($schema, $id, id, title, description, examples, default, contentMediaType) are
// ignored. Any other keyword refuses the schema when it is compiled, so a constraint is never
// skipped without notice. pattern and patternProperties are ECMAScript regular expressions that
// are searched for, not anchored, as JSON Schema defines them.
//
// Only this worker validates JSON against a schema, so the validator lives in its folder.
// Thread-safety: a compiled JsonSchema is immutable; Validate() may run on several threads at
// once. Copies share the compiled form. Lifetime: self-contained.

#include <memory>
#include <string>
#include <string_view>

#include "gps/core/result.h"
#include "gps/json/json.h"

namespace gps::worker::hub {

class JsonSchema {
 public:
  // what names the schema in compile errors ("edgeAgent deployment 1.1").
  static Result<JsonSchema> Compile(std::string_view schema_json, std::string_view what);

  // Ok when instance satisfies the subschema at pointer, a JSON pointer into the schema ("" for
  // its root, "/properties/$edgeAgent" for a part). Otherwise InvalidArgument
  // "<path>: <what is wrong>" for the first violation found, where path is instance_path followed
  // by the place of the violation inside the instance (JsonPathChild notation), e.g.
  //   modulesContent.$edgeAgent["properties.desired"].modules.app.status: "runing" is not one of
  //   "running", "stopped"
  // A pointer that leads nowhere is an Internal error.
  Status Validate(const json::Value& instance, std::string_view pointer,
                  std::string_view instance_path) const;

 private:
  struct Impl;
  explicit JsonSchema(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}

  std::shared_ptr<const Impl> impl_;
};

// The JSON path of a child: parent + ".key" when key is made of letters, digits, '_', '-' and
// '$', else parent + "[\"key\"]" (JSON-quoted). Array elements: parent + "[i]".
std::string JsonPathChild(std::string_view parent, std::string_view key);
std::string JsonPathIndex(std::string_view parent, std::size_t index);

}  // namespace gps::worker::hub

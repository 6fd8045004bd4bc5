#include "src/writer/provenance.h"

#include <utility>

#include "src/json/value.h"
#include "src/json/writer.h"

namespace imagewriter {
namespace {

json::Value Dependency(const ProvenanceDependency& d) {
  json::Value v = json::Value::Object();
  v.Set("name", json::Value::String(d.name));
  v.Set("digest", json::Value::SortedObject({{d.digest.algorithm(), d.digest.encoded()}}));
  if (!d.media_type.empty()) v.Set("mediaType", json::Value::String(d.media_type));
  return v;
}

}  // namespace

std::string BuildProvenance(const ProvenanceSpec& spec) {
  std::map<std::string, std::string> external = spec.parameters;
  external["target"] = spec.target;
  std::vector<json::Value> dependencies;
  for (const ProvenanceDependency& d : spec.dependencies) dependencies.push_back(Dependency(d));
  json::Value definition = json::Value::Object();
  definition.Set("buildType", json::Value::String(kProvenanceBuildType));
  definition.Set("externalParameters", json::Value::SortedObject(external));
  definition.Set("resolvedDependencies", json::Value::Array(std::move(dependencies)));
  json::Value builder = json::Value::Object();
  builder.Set("id", json::Value::String(spec.builder_id));
  json::Value run = json::Value::Object();
  run.Set("builder", std::move(builder));
  json::Value predicate = json::Value::Object();
  predicate.Set("buildDefinition", std::move(definition));
  predicate.Set("runDetails", std::move(run));
  json::Value statement = json::Value::Object();
  statement.Set("_type", json::Value::String("https://in-toto.io/Statement/v1"));
  statement.Set("predicateType", json::Value::String(kSlsaProvenanceV1));
  statement.Set("subject", json::Value::Array());
  statement.Set("predicate", std::move(predicate));
  return json::Compact(statement);
}

}  // namespace imagewriter

// ApplyConfigFragments: sets the runtime fields of an image config
// (the "config" member) the way rules_oci and Docker do.
//
// - Entrypoint replaces the inherited one and, unless Cmd is also given,
//   clears an inherited Cmd (Docker's ENTRYPOINT rule).
// - Env entries are "KEY=VALUE". A key already present is replaced in place,
//   new keys are appended. $NAME and ${NAME} in a value expand against the
//   environment built so far (the base's, then earlier entries); an unknown
//   name expands to "". A '$' not followed by a name or '{' is literal.
// - Labels are merged into the inherited ones; ExposedPorts ("80",
//   "53/udp"; a bare port means /tcp) and Volumes are added. These maps are
//   written sorted by key.
// - User, WorkingDir and StopSignal replace the inherited values.
// If nothing is set, the config is left untouched, byte for byte. Otherwise
// known members are written in Go's ocispec.ImageConfig order, followed by
// any other inherited members in their original order and bytes.
#ifndef IMAGEWRITER_WRITER_CONFIG_FRAGMENTS_H_
#define IMAGEWRITER_WRITER_CONFIG_FRAGMENTS_H_

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "src/json/value.h"

namespace imagewriter {

struct ConfigFragment {
  std::optional<std::vector<std::string>> entrypoint;
  std::optional<std::vector<std::string>> cmd;
  std::vector<std::string> env;
  std::optional<std::string> user;
  std::optional<std::string> workdir;
  std::optional<std::string> stop_signal;
  std::map<std::string, std::string> labels;
  std::vector<std::string> exposed_ports;
  std::vector<std::string> volumes;

  bool empty() const {
    return !entrypoint && !cmd && env.empty() && !user && !workdir &&
           !stop_signal && labels.empty() && exposed_ports.empty() &&
           volumes.empty();
  }
};

// `image_config` is the whole image config object; its "config" member is
// updated. Errors name the offending entry.
absl::Status ApplyConfigFragments(const ConfigFragment& fragment,
                                  json::Value* image_config);

// Expands $NAME / ${NAME} in `value` against `env` ("KEY=VALUE" entries).
std::string ExpandEnv(const std::string& value, const std::vector<std::string>& env);

}  // namespace imagewriter

#endif  // IMAGEWRITER_WRITER_CONFIG_FRAGMENTS_H_

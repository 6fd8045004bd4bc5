// ReadRequestFile: reads one JSON request file (schema:
// src/proto/request.proto) into its protobuf message.
//
// The file is parsed by the strict JSON parser (UTF-8, no duplicate keys),
// held to the message's schema (schema_check.h), and only then converted by
// protobuf's JSON parser, which is lenient about all of these. Errors name
// the file and, for a schema error, the field:
// "req.json: invalid request: layers[0].diffIdFile: expected a string, got
// a number". The files the request names are not read here.
#ifndef IMAGEWRITER_REQUEST_REQUEST_FILE_H_
#define IMAGEWRITER_REQUEST_REQUEST_FILE_H_

#include <string>

#include "absl/status/status.h"
#include "google/protobuf/message.h"

namespace imagewriter {

absl::Status ReadRequestFile(const std::string& path, google::protobuf::Message* message);

}  // namespace imagewriter

#endif  // IMAGEWRITER_REQUEST_REQUEST_FILE_H_

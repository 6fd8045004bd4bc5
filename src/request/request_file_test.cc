#include "src/request/request_file.h"

#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "src/proto/request.pb.h"
#include "src/request/request_testing.h"

namespace imagewriter {
namespace {

class RequestFileTest : public testing::Test {
 protected:
  // The error of reading `json` as an ImageRequest, without the file's path;
  // "OK" if it reads.
  std::string ImageError(absl::string_view json) {
    proto::ImageRequest request;
    return Error(json, &request);
  }
  std::string FilesError(absl::string_view json) {
    proto::LayerFiles request;
    return Error(json, &request);
  }
  std::string Error(absl::string_view json, google::protobuf::Message* message) {
    const std::string path = dir_.Write("req.json", json);
    absl::Status s = ReadRequestFile(path, message);
    if (s.ok()) return "OK";
    EXPECT_TRUE(absl::StartsWith(s.message(), path + ": ")) << s;
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << s;
    return std::string(s.message().substr(path.size() + 2));
  }

  TestDir dir_;
};

TEST_F(RequestFileTest, ReadsFieldsByProtoAndJsonNames) {
  proto::ImageRequest request;
  const std::string path = dir_.Write(
      "req.json", R"({"base_config": "c.json", "dropEmptyLayers": true, "labels": {"a": "b"},
                      "layers": [{"descriptorFile": "d", "diff_id_file": "x"}], "user": null})");
  ASSERT_TRUE(ReadRequestFile(path, &request).ok());
  EXPECT_EQ(request.base_config(), "c.json");
  EXPECT_TRUE(request.drop_empty_layers());
  EXPECT_EQ(request.labels().at("a"), "b");
  ASSERT_EQ(request.layers_size(), 1);
  EXPECT_EQ(request.layers(0).diff_id_file(), "x");
  EXPECT_FALSE(request.has_user());  // null is absent.
}

TEST_F(RequestFileTest, UnknownFieldsNameTheirPathAndMessage) {
  EXPECT_EQ(ImageError(R"({"entrypointt": {"values": []}})"),
            "invalid request: entrypointt: unknown field of ImageRequest");
  EXPECT_EQ(ImageError(R"({"layers": [{"descriptorFile": "d"}, {"size": 1}]})"),
            "invalid request: layers[1].size: unknown field of LayerRef");
  EXPECT_EQ(ImageError(R"({"entrypoint": {"value": []}})"),
            "invalid request: entrypoint.value: unknown field of StringList");
}

TEST_F(RequestFileTest, WrongTypesNameTheirPath) {
  EXPECT_EQ(ImageError(R"({"dropEmptyLayers": "yes"})"),
            "invalid request: dropEmptyLayers: expected true or false, got a string");
  EXPECT_EQ(ImageError(R"({"env": "A=1"})"), "invalid request: env: expected an array, got a string");
  EXPECT_EQ(ImageError(R"({"entrypoint": {"values": "/bin/sh"}})"),
            "invalid request: entrypoint.values: expected an array, got a string");
  EXPECT_EQ(ImageError(R"({"layers": [{"descriptorFile": 1}]})"),
            "invalid request: layers[0].descriptorFile: expected a string, got a number");
  EXPECT_EQ(ImageError(R"({"layers": ["x"]})"),
            "invalid request: layers[0]: expected a JSON object, got a string");
  EXPECT_EQ(ImageError(R"({"labels": {"a": 1}})"),
            "invalid request: labels.a: expected a string, got a number");
  EXPECT_EQ(ImageError(R"({"labels": ["a"]})"),
            "invalid request: labels: expected an object of strings, got an array");
}

TEST_F(RequestFileTest, IntegersAreNumbersWithinInt64) {
  EXPECT_EQ(FilesError(R"({"mtime": "5"})"), "invalid request: mtime: expected an integer, got a string");
  EXPECT_EQ(FilesError(R"({"mtime": 1.5})"),
            "invalid request: mtime: 1.5 is not an integer in the int64 range");
  EXPECT_EQ(FilesError(R"({"mtime": 9223372036854775808})"),
            "invalid request: mtime: 9223372036854775808 is not an integer in the int64 range");
  EXPECT_EQ(FilesError(R"({"mtime": -9223372036854775808})"), "OK");
}

TEST_F(RequestFileTest, FieldGivenTwiceUnderTwoNames) {
  EXPECT_EQ(ImageError(R"({"base_config": "a", "baseConfig": "b"})"),
            "invalid request: baseConfig: field \"base_config\" given twice");
}

TEST_F(RequestFileTest, NoNulInAnyString) {
  EXPECT_EQ(FilesError(R"({"entries": [{"path": "a\u0000b"}]})"),
            "invalid request: entries[0].path: contains a NUL character");
  EXPECT_EQ(ImageError(R"({"labels": {"a\u0000": "b"}})"),
            absl::StrCat("invalid request: labels.a", std::string(1, '\0'), ": contains a NUL character"));
}

TEST_F(RequestFileTest, TopLevelMustBeAnObject) {
  EXPECT_EQ(ImageError("null"), "invalid request: expected a JSON object, got null");
  EXPECT_EQ(FilesError("[{}]"), "invalid request: expected a JSON object, got an array");
}

TEST_F(RequestFileTest, StrictJsonComesFirst) {
  EXPECT_TRUE(absl::StrContains(ImageError(R"({"user": "a", "user": "b"})"), "duplicate key \"user\""));
  EXPECT_TRUE(absl::StrContains(ImageError("{\"user\": \"\xff\"}"), "invalid UTF-8"));
}

TEST_F(RequestFileTest, MissingFileIsNamed) {
  proto::ImageRequest request;
  const std::string path = dir_.Path("absent.json");
  absl::Status s = ReadRequestFile(path, &request);
  EXPECT_TRUE(absl::StrContains(s.message(), path)) << s;
}

}  // namespace
}  // namespace imagewriter

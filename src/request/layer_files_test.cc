#include "src/request/layer_files.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "src/request/request_testing.h"

namespace imagewriter {
namespace {

class LayerFilesTest : public testing::Test {
 protected:
  // "OK", or the error of reading `json`; path_ is the request's path.
  std::string Error(const std::string& json) {
    path_ = dir_.Write("files.json", json);
    absl::StatusOr<std::unique_ptr<FileTree>> tree = ReadLayerFiles(path_);
    if (!tree.ok()) return std::string(tree.status().message());
    return *tree != nullptr ? "OK" : "null tree";
  }
  std::string WithEntry(const std::string& options) {
    return absl::StrCat(R"({"entries": [{"path": "a", "file": ")", dir_.Write("src", "x"), "\"}]",
                        options, "}");
  }

  TestDir dir_;
  std::string path_;
};

TEST_F(LayerFilesTest, ReadsATree) {
  EXPECT_EQ(Error(WithEntry(R"(, "mode": "0600", "owner": "4294967295:7", "mtime": 5, "hardlinks": true)")),
            "OK");
}

TEST_F(LayerFilesTest, OwnerIdsFitIn32Bits) {
  std::string error = Error(WithEntry(R"(, "owner": "4294967296:0")"));
  EXPECT_EQ(error, path_ + ": owner \"4294967296:0\": uid above 4294967295");
  error = Error(WithEntry(R"(, "owner": "0:4294967296")"));
  EXPECT_EQ(error, path_ + ": owner \"0:4294967296\": gid above 4294967295");
}

TEST_F(LayerFilesTest, MtimeIsNotNegative) {
  const std::string error = Error(WithEntry(R"(, "mtime": -1)"));
  EXPECT_EQ(error, path_ + ": mtime -1 is negative");
}

TEST_F(LayerFilesTest, BadOptionsNameTheRequest) {
  std::string error = Error(WithEntry(R"(, "mode": "999")"));
  EXPECT_TRUE(absl::StartsWith(error, path_ + ": ")) << error;
  error = Error(WithEntry(R"(, "owner": "root")"));
  EXPECT_TRUE(absl::StartsWith(error, path_ + ": ")) << error;
}

TEST_F(LayerFilesTest, EachEntryIsOneKindAndErrorsNameIt) {
  std::string error = Error(R"({"entries": [{"path": "d", "directory": true},
                                            {"path": "a", "file": "f", "symlink": "t"}]})");
  EXPECT_EQ(error, path_ + ": entries[1]: exactly one of file, symlink or directory is required");
  error = Error(R"({"entries": [{"path": "a"}]})");
  EXPECT_EQ(error, path_ + ": entries[0]: exactly one of file, symlink or directory is required");
  error = Error(R"({"entries": [{"path": "../a", "symlink": "t"}]})");
  EXPECT_TRUE(absl::StartsWith(error, path_ + ": entries[0]: ")) << error;
  error = Error(R"({"entries": [{"path": "a", "directory": true, "mode": "9"}]})");
  EXPECT_TRUE(absl::StartsWith(error, path_ + ": entries[0]: ")) << error;
}

}  // namespace
}  // namespace imagewriter

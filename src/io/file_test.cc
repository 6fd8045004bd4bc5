#include "src/io/file.h"

#include <dirent.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace imagewriter {
namespace {

std::string TempDir() {
  std::string dir = std::string(getenv("TEST_TMPDIR")) + "/ioXXXXXX";
  EXPECT_NE(mkdtemp(dir.data()), nullptr);
  return dir;
}

std::vector<std::string> ListDir(const std::string& dir) {
  std::vector<std::string> names;
  DIR* d = opendir(dir.c_str());
  while (struct dirent* e = readdir(d)) {
    std::string name = e->d_name;
    if (name != "." && name != "..") names.push_back(name);
  }
  closedir(d);
  return names;
}

TEST(AtomicFileTest, CommitRenamesIntoPlaceWithFixedMode) {
  std::string dir = TempDir();
  mode_t old = umask(077);
  ASSERT_TRUE(WriteFileAtomically(dir + "/out", "hello").ok());
  umask(old);
  EXPECT_EQ(*ReadFileToString(dir + "/out"), "hello");
  struct stat st;
  ASSERT_EQ(stat((dir + "/out").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0644u);
  EXPECT_EQ(ListDir(dir), std::vector<std::string>{"out"});
}

TEST(AtomicFileTest, AbandonedFileLeavesNothingBehind) {
  std::string dir = TempDir();
  {
    absl::StatusOr<AtomicFile> file = AtomicFile::Create(dir + "/out");
    ASSERT_TRUE(file.ok());
    ASSERT_TRUE(file->Append("partial").ok());
  }
  EXPECT_TRUE(ListDir(dir).empty());
}

TEST(ReadFileTest, MissingFileNamesThePath) {
  absl::StatusOr<std::string> got = ReadFileToString("/nonexistent/x.json");
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().code(), absl::StatusCode::kNotFound);
  EXPECT_NE(got.status().message().find("/nonexistent/x.json"),
            std::string::npos);
}

TEST(ReadFileTest, EnforcesSizeLimit) {
  std::string dir = TempDir();
  ASSERT_TRUE(WriteFileAtomically(dir + "/big", std::string(100, 'x')).ok());
  EXPECT_EQ(ReadFileToString(dir + "/big", 10).status().code(),
            absl::StatusCode::kResourceExhausted);
}

}  // namespace
}  // namespace imagewriter

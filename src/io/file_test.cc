#include "src/io/file.h"

#include <dirent.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <future>
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

// CopyFrom reads by offset, so a sequential reader of the same InputFile on
// another thread sees every byte too; the copy is exact, also across
// copy_file_range's chunking.
TEST(AtomicFileTest, CopyFromCopiesWhileTheInputIsReadElsewhere) {
  std::string dir = TempDir();
  std::string data(3 << 20, '\0');
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>(i * 131 + i / 7);
  ASSERT_TRUE(WriteFileAtomically(dir + "/in", data).ok());
  absl::StatusOr<InputFile> in = InputFile::Open(dir + "/in");
  ASSERT_TRUE(in.ok());
  absl::StatusOr<AtomicFile> out = AtomicFile::Create(dir + "/out");
  ASSERT_TRUE(out.ok());
  std::future<absl::StatusOr<uint64_t>> copy =
      std::async(std::launch::async, [&] { return out->CopyFrom(*in); });
  std::string read;
  std::vector<char> buffer(4096);
  for (absl::StatusOr<size_t> n; (n = in->Read(buffer.data(), buffer.size())).ok() && *n > 0;) {
    read.append(buffer.data(), *n);
  }
  absl::StatusOr<uint64_t> copied = copy.get();
  ASSERT_TRUE(copied.ok()) << copied.status();
  EXPECT_EQ(*copied, data.size());
  ASSERT_TRUE(out->Commit().ok());
  EXPECT_EQ(read, data);
  EXPECT_EQ(*ReadFileToString(dir + "/out"), data);
}

// A 255-byte name (NAME_MAX) is valid; its temporary must be too, in the
// same directory, and nothing but the final name may remain.
TEST(AtomicFileTest, NameOfNameMaxBytesGetsAValidTemporary) {
  std::string dir = TempDir();
  const std::string name(255, 'n');
  absl::StatusOr<AtomicFile> a = AtomicFile::Create(dir + "/" + name);
  ASSERT_TRUE(a.ok()) << a.status();
  absl::StatusOr<AtomicFile> b = AtomicFile::Create(dir + "/" + name);
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_EQ(ListDir(dir).size(), 2u);  // Two distinct temporaries.
  ASSERT_TRUE(a->Append("x").ok());
  ASSERT_TRUE(a->Commit().ok());
  EXPECT_EQ(*ReadFileToString(dir + "/" + name), "x");
  EXPECT_EQ(TempSiblingTemplate("d/" + name).size(), 2 + 255u);
  EXPECT_EQ(TempSiblingTemplate("d/out"), "d/out.tmp-XXXXXX");
}

TEST(InputFileTest, RefusesDevicesAndDirectoriesButNotPipes) {
  for (const char* path : {"/dev/zero", "/dev/null", "/"}) {
    absl::StatusOr<InputFile> in = InputFile::Open(path);
    ASSERT_FALSE(in.ok()) << path;
    EXPECT_EQ(in.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_NE(in.status().message().find(path), std::string::npos);
    EXPECT_NE(in.status().message().find("expected a regular file or a pipe"), std::string::npos);
  }
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  absl::StatusOr<InputFile> in = InputFile::Open("/proc/self/fd/" + std::to_string(fds[0]));
  ASSERT_TRUE(in.ok()) << in.status();
  EXPECT_FALSE(in->regular());
  std::string dir = TempDir();
  absl::StatusOr<AtomicFile> out = AtomicFile::Create(dir + "/out");
  ASSERT_TRUE(out.ok());
  EXPECT_FALSE(out->CopyFrom(*in).ok());  // A pipe has no offsets.
  close(fds[0]);
  close(fds[1]);
}

// Only stats: a FIFO with no writer is refused at once, not waited on.
TEST(RequireFileOrDirectoryTest, RefusesFifosAndDevicesWithoutOpening) {
  std::string dir = TempDir();
  ASSERT_EQ(mkfifo((dir + "/fifo").c_str(), 0600), 0);
  absl::Status fifo = RequireFileOrDirectory(dir + "/fifo");
  EXPECT_NE(fifo.message().find("is a FIFO (named pipe), expected a regular file or a directory"),
            std::string::npos)
      << fifo;
  EXPECT_NE(RequireFileOrDirectory("/dev/zero").message().find("is a character device"),
            std::string::npos);
  EXPECT_TRUE(RequireFileOrDirectory(dir).ok());
  EXPECT_EQ(RequireFileOrDirectory(dir + "/missing").code(), absl::StatusCode::kNotFound);
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

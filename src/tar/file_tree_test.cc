#include "src/tar/file_tree.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <sys/time.h>

#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "src/io/file.h"
#include "src/tar/tar_reader.h"
#include "src/tar/tar_testing.h"

namespace imagewriter {
namespace {

class FileTreeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::string(getenv("TEST_TMPDIR")) + "/treeXXXXXX";
    ASSERT_NE(mkdtemp(dir_.data()), nullptr);
    Make("a.txt", "alpha\n", 0644);
    Make("run.sh", "#!/bin/sh\n", 0755);
  }
  std::string Make(const std::string& name, const std::string& data, mode_t mode) {
    std::string path = dir_ + "/" + name;
    EXPECT_TRUE(WriteFileAtomically(path, data).ok());
    chmod(path.c_str(), mode);
    return path;
  }
  std::string Tar(const FileTree& tree) {
    StringSink out;
    EXPECT_TRUE(tree.Write(&out).ok());
    return out.data();
  }
  std::vector<TarEntry> Entries(const std::string& tar) {
    absl::StatusOr<std::vector<TarEntry>> entries = testing_tar::ReadEntries(tar);
    EXPECT_TRUE(entries.ok()) << entries.status();
    return entries.ok() ? *entries : std::vector<TarEntry>();
  }
  std::string dir_;
};

TEST_F(FileTreeTest, SameBytesForAnyOrderAndAnyHostMtime) {
  FileTree one({});
  ASSERT_TRUE(one.AddFile("/app/a.txt", dir_ + "/a.txt").ok());
  ASSERT_TRUE(one.AddFile("app/bin/run.sh", dir_ + "/run.sh").ok());
  ASSERT_TRUE(one.AddSymlink("app/current", "bin/run.sh").ok());
  const std::string first = Tar(one);

  struct timeval times[2] = {{1234567890, 0}, {1234567890, 0}};
  utimes((dir_ + "/a.txt").c_str(), times);
  FileTree two({});
  ASSERT_TRUE(two.AddSymlink("./app/current", "bin/run.sh").ok());
  ASSERT_TRUE(two.AddFile("app//bin/run.sh/", dir_ + "/run.sh").ok());
  ASSERT_TRUE(two.AddFile("app/a.txt", dir_ + "/a.txt").ok());
  EXPECT_EQ(Tar(two), first);
}

TEST_F(FileTreeTest, SortedWithExplicitParentsAndFixedMetadata) {
  FileTree::Options options;
  options.uid = 65532;
  options.gid = 65533;
  options.mtime = 1700000000;
  FileTree tree(options);
  ASSERT_TRUE(tree.AddFile("b/z.txt", dir_ + "/a.txt").ok());
  ASSERT_TRUE(tree.AddFile("a/deep/run.sh", dir_ + "/run.sh", std::nullopt, /*executable=*/true).ok());
  ASSERT_TRUE(tree.AddDirectory("c/empty", 0700).ok());
  std::vector<TarEntry> e = Entries(Tar(tree));
  std::vector<std::string> paths;
  for (const TarEntry& entry : e) paths.push_back(entry.path);
  EXPECT_EQ(paths, (std::vector<std::string>{"a/", "a/deep/", "a/deep/run.sh", "b/", "b/z.txt", "c/",
                                             "c/empty/"}));
  EXPECT_EQ(e[2].mode, 0755u);  // Added as executable.
  EXPECT_EQ(e[4].mode, 0644u);
  EXPECT_EQ(e[6].mode, 0700u);
  for (const TarEntry& entry : e) {
    EXPECT_EQ(entry.uid, 65532u);
    EXPECT_EQ(entry.gid, 65533u);
    EXPECT_EQ(entry.mtime, 1700000000);
  }
}

// The mode comes from how a file is added, never from the file system: Bazel
// 4 makes every input of a remote action executable, and a umask can strip
// the bits locally, so the same action must write the same modes anyway.
TEST_F(FileTreeTest, ModeComesFromTheCallerNotTheFileSystem) {
  const std::string tar_before = [&] {
    FileTree tree({});
    EXPECT_TRUE(tree.AddFile("data.txt", dir_ + "/a.txt").ok());
    EXPECT_TRUE(tree.AddFile("tool", dir_ + "/run.sh", std::nullopt, /*executable=*/true).ok());
    return Tar(tree);
  }();
  std::vector<TarEntry> e = Entries(tar_before);
  ASSERT_EQ(e.size(), 2u);
  EXPECT_EQ(e[0].mode, 0644u);  // a.txt, mode 0644 on disk.
  EXPECT_EQ(e[1].mode, 0755u);  // run.sh, mode 0755 on disk.

  // Flip the bits on disk: as a remote executor (all 0755) and a strict
  // umask (no execute bit) would.
  chmod((dir_ + "/a.txt").c_str(), 0755);
  chmod((dir_ + "/run.sh").c_str(), 0600);
  FileTree tree({});
  ASSERT_TRUE(tree.AddFile("data.txt", dir_ + "/a.txt").ok());
  ASSERT_TRUE(tree.AddFile("tool", dir_ + "/run.sh", std::nullopt, /*executable=*/true).ok());
  EXPECT_EQ(Tar(tree), tar_before);
}

TEST_F(FileTreeTest, LongPathsAndHardlinks) {
  FileTree::Options options;
  options.hardlinks = true;
  FileTree tree(options);
  const std::string long_path = std::string(40, 'x') + "/" + std::string(200, 'y') + ".txt";
  ASSERT_TRUE(tree.AddFile(long_path, dir_ + "/a.txt").ok());
  ASSERT_TRUE(tree.AddFile("copy.txt", dir_ + "/a.txt").ok());
  std::vector<TarEntry> e = Entries(Tar(tree));
  ASSERT_EQ(e.size(), 3u);
  EXPECT_EQ(e[0].path, "copy.txt");
  EXPECT_EQ(e[0].size, 6u);
  EXPECT_EQ(e[2].path, long_path);
  EXPECT_EQ(e[2].type, '1');
  EXPECT_EQ(e[2].link_name, "copy.txt");
}

// A hard link has its target's mode once extracted, so a source placed with
// another mode is stored again rather than linked.
TEST_F(FileTreeTest, HardlinksOnlyBetweenEntriesOfTheSameMode) {
  FileTree::Options options;
  options.hardlinks = true;
  FileTree tree(options);
  ASSERT_TRUE(tree.AddFile("a", dir_ + "/a.txt").ok());
  ASSERT_TRUE(tree.AddFile("b", dir_ + "/a.txt", 0600).ok());
  ASSERT_TRUE(tree.AddFile("c", dir_ + "/a.txt").ok());
  ASSERT_TRUE(tree.AddFile("d", dir_ + "/a.txt", 0600).ok());
  std::vector<TarEntry> e = Entries(Tar(tree));
  ASSERT_EQ(e.size(), 4u);
  EXPECT_EQ(e[0].type, '0');
  EXPECT_EQ(e[1].type, '0');
  EXPECT_EQ(e[1].mode, 0600u);
  EXPECT_EQ(e[2].type, '1');
  EXPECT_EQ(e[2].link_name, "a");
  EXPECT_EQ(e[3].type, '1');
  EXPECT_EQ(e[3].link_name, "b");
}

TEST_F(FileTreeTest, RejectsUnsafeAndConflictingPaths) {
  FileTree tree({});
  EXPECT_FALSE(tree.AddFile("../etc/passwd", dir_ + "/a.txt").ok());
  EXPECT_FALSE(tree.AddFile("a/../../b", dir_ + "/a.txt").ok());
  EXPECT_FALSE(tree.AddFile("/", dir_ + "/a.txt").ok());
  ASSERT_TRUE(tree.AddFile("x", dir_ + "/a.txt").ok());
  EXPECT_TRUE(tree.AddFile("x", dir_ + "/a.txt").ok());  // Same thing twice.
  absl::Status s = tree.AddFile("x", dir_ + "/run.sh");
  EXPECT_NE(s.message().find("given twice"), std::string::npos) << s;
  s = tree.AddFile("x/y", dir_ + "/a.txt");
  EXPECT_NE(s.message().find("is not a directory"), std::string::npos) << s;
}

TEST_F(FileTreeTest, MissingSourceIsNamed) {
  FileTree tree({});
  ASSERT_TRUE(tree.AddFile("x", dir_ + "/nope").ok());
  StringSink out;
  absl::Status s = tree.Write(&out);
  EXPECT_NE(s.message().find("/nope: not a readable regular file (for \"x\")"), std::string::npos) << s;
}

TEST(ParseTest, OwnerAndMode) {
  uint64_t uid, gid;
  EXPECT_TRUE(ParseOwner("1:2", &uid, &gid).ok());
  EXPECT_EQ(uid, 1u);
  EXPECT_FALSE(ParseOwner("root:root", &uid, &gid).ok());
  EXPECT_FALSE(ParseOwner("1", &uid, &gid).ok());
  EXPECT_EQ(*ParseMode("0755"), 0755u);
  EXPECT_FALSE(ParseMode("0999").ok());
  EXPECT_FALSE(ParseMode("").ok());
}

}  // namespace
}  // namespace imagewriter

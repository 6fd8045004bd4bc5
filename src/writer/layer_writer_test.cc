#include "src/writer/layer_writer.h"

#include <stdlib.h>
#include <unistd.h>

#include <string>

#include "gtest/gtest.h"
#include "src/compress/compression.h"
#include "src/io/file.h"
#include "src/oci/media_types.h"
#include "src/tar/tar_testing.h"

namespace imagewriter {
namespace {

using namespace testing_tar;  // NOLINT: test helpers.

class LayerWriterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::string(getenv("TEST_TMPDIR")) + "/lwXXXXXX";
    ASSERT_NE(mkdtemp(dir_.data()), nullptr);
    tar_ = File("a.txt", std::string(100000, 'a')) + File("b.txt", "bee") + End();
  }

  std::string Write(const std::string& name, Compression c, const std::string& data) {
    StringSink out;
    std::unique_ptr<ByteSink> enc = NewEncoder(c, DefaultLevel(c), &out);
    EXPECT_TRUE(enc->Append(data).ok());
    EXPECT_TRUE(enc->Finish().ok());
    std::string path = dir_ + "/" + name;
    EXPECT_TRUE(WriteFileAtomically(path, out.data()).ok());
    return path;
  }

  absl::StatusOr<LayerResult> Run(const std::string& input, Compression c, bool force = false) {
    LayerOptions o;
    o.input_path = input;
    o.blob_path = dir_ + "/blob";
    o.compression = c;
    o.force_recompress = force;
    return WriteLayer(o);
  }

  std::string dir_;
  std::string tar_;
};

TEST_F(LayerWriterTest, EveryInputFormatGivesTheSameDiffId) {
  const Digest diff_id = Digest::Sha256Of(tar_);
  for (Compression in : {Compression::kNone, Compression::kGzip, Compression::kZstd}) {
    std::string input = Write("in", in, tar_);
    for (Compression out : {Compression::kNone, Compression::kGzip, Compression::kZstd}) {
      absl::StatusOr<LayerResult> r = Run(input, out);
      ASSERT_TRUE(r.ok()) << r.status();
      EXPECT_EQ(r->diff_id, diff_id);
      EXPECT_EQ(r->input_compression, in);
      EXPECT_EQ(r->passed_through, in == out);
      EXPECT_EQ(r->descriptor.media_type, *LayerMediaType(MediaFlavor::kOci, out));
      std::string blob = *ReadFileToString(dir_ + "/blob");
      EXPECT_EQ(r->descriptor.digest, Digest::Sha256Of(blob));
      EXPECT_EQ(r->descriptor.size, static_cast<int64_t>(blob.size()));
    }
  }
}

TEST_F(LayerWriterTest, PassthroughKeepsForeignBytesUnlessForced) {
  // A gzip stream that our encoder would not produce (level 1 header).
  StringSink foreign;
  std::unique_ptr<ByteSink> enc = NewEncoder(Compression::kGzip, 1, &foreign);
  ASSERT_TRUE(enc->Append(tar_).ok());
  ASSERT_TRUE(enc->Finish().ok());
  ASSERT_TRUE(WriteFileAtomically(dir_ + "/foreign.tgz", foreign.data()).ok());

  absl::StatusOr<LayerResult> kept = Run(dir_ + "/foreign.tgz", Compression::kGzip);
  ASSERT_TRUE(kept.ok());
  EXPECT_EQ(*ReadFileToString(dir_ + "/blob"), foreign.data());

  absl::StatusOr<LayerResult> forced = Run(dir_ + "/foreign.tgz", Compression::kGzip, true);
  ASSERT_TRUE(forced.ok());
  EXPECT_FALSE(forced->passed_through);
  EXPECT_NE(forced->descriptor.digest, kept->descriptor.digest);
  EXPECT_EQ(forced->diff_id, kept->diff_id);
}

TEST_F(LayerWriterTest, CorruptInputLeavesNoBlob) {
  std::string gz = *ReadFileToString(Write("in.tgz", Compression::kGzip, tar_));
  ASSERT_TRUE(WriteFileAtomically(dir_ + "/cut.tgz", gz.substr(0, gz.size() / 2)).ok());
  absl::StatusOr<LayerResult> r = Run(dir_ + "/cut.tgz", Compression::kZstd);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find(dir_ + "/cut.tgz: "), std::string::npos) << r.status();
  EXPECT_NE(access((dir_ + "/blob").c_str(), F_OK), 0);
}

TEST_F(LayerWriterTest, EstargzAnnotationsDiffIdAndPassthrough) {
  const std::string input = Write("in.tar", Compression::kNone, tar_);
  absl::StatusOr<LayerResult> r = Run(input, Compression::kEstargz);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->descriptor.media_type, kOciLayerGzip);
  EXPECT_FALSE(r->passed_through);
  const auto& a = r->descriptor.annotations;
  ASSERT_EQ(a.count("containerd.io/snapshot/stargz/toc.digest"), 1u);
  ASSERT_EQ(a.count("io.containers.estargz.uncompressed-size"), 1u);
  // The diffID covers the tar and the TOC's tar after it.
  absl::StatusOr<std::string> blob = ReadFileToString(dir_ + "/blob");
  ASSERT_TRUE(blob.ok());
  StringSink decoded;
  std::unique_ptr<ByteSink> d = NewDecoder(Compression::kGzip, &decoded);
  ASSERT_TRUE(d->Append(*blob).ok() && d->Finish().ok());
  EXPECT_EQ(r->diff_id, Digest::Sha256Of(decoded.data()));
  EXPECT_NE(r->diff_id, Digest::Sha256Of(tar_));
  EXPECT_EQ(a.at("io.containers.estargz.uncompressed-size"), std::to_string(decoded.data().size()));

  // The blob as input: kept, with the same annotations and diffID.
  const std::string again = dir_ + "/in.estargz";
  ASSERT_TRUE(WriteFileAtomically(again, *blob).ok());
  absl::StatusOr<LayerResult> kept = Run(again, Compression::kEstargz);
  ASSERT_TRUE(kept.ok()) << kept.status();
  EXPECT_TRUE(kept->passed_through);
  EXPECT_EQ(kept->input_compression, Compression::kEstargz);
  EXPECT_EQ(kept->descriptor.digest, r->descriptor.digest);
  EXPECT_EQ(kept->descriptor.annotations, r->descriptor.annotations);
  EXPECT_EQ(kept->diff_id, r->diff_id);

  // Re-encoded, it is unpacked to its tar first: the same blob again.
  absl::StatusOr<LayerResult> forced = Run(again, Compression::kEstargz, /*force=*/true);
  ASSERT_TRUE(forced.ok()) << forced.status();
  EXPECT_FALSE(forced->passed_through);
  EXPECT_EQ(forced->descriptor.digest, r->descriptor.digest);

  // Plain gzip input is re-encoded.
  absl::StatusOr<LayerResult> from_gzip = Run(Write("in.gz", Compression::kGzip, tar_),
                                              Compression::kEstargz);
  ASSERT_TRUE(from_gzip.ok()) << from_gzip.status();
  EXPECT_FALSE(from_gzip->passed_through);
  EXPECT_EQ(from_gzip->descriptor.digest, r->descriptor.digest);
}

}  // namespace
}  // namespace imagewriter

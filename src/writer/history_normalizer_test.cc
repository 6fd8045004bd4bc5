#include "src/writer/history_normalizer.h"

#include "gtest/gtest.h"

namespace imagewriter {
namespace {

ImageLayer Layer(const std::string& blob, const std::string& created_by) {
  ImageLayer l;
  l.descriptor.media_type = "application/vnd.oci.image.layer.v1.tar+gzip";
  l.descriptor.digest = Digest::Sha256Of(blob);
  l.diff_id = Digest::Sha256Of("diff" + blob);
  l.metadata.created_by = created_by;
  l.metadata.created = Timestamp::FromUnixSeconds(100);
  return l;
}

History Entry(const std::string& created_by, bool empty = false) {
  History h;
  h.created_by = created_by;
  h.empty_layer = empty;
  return h;
}

TEST(NormalizeTest, MoreHistoryThanLayersMarksExtraEmptyFromTheTop) {
  NormalizedHistory n = NormalizeLayersAndHistory(
      {Layer("a", "meta-a")}, {Entry("h1"), Entry("env", true), Entry("h2"), Entry("h3")},
      false);
  ASSERT_EQ(n.history.size(), 4u);
  EXPECT_FALSE(n.history[0].empty_layer);
  EXPECT_TRUE(n.history[1].empty_layer);
  EXPECT_TRUE(n.history[2].empty_layer);
  EXPECT_TRUE(n.history[3].empty_layer);
  EXPECT_EQ(n.layers.size(), 1u);
  ASSERT_EQ(n.warnings.size(), 1u);
  // The layer's entry had no time: it takes the layer's, and the undated
  // empty entries after it take that one (BuildKit's fill).
  EXPECT_EQ(n.history[0].created->unix_seconds(), 100);
  EXPECT_EQ(n.history[1].created->unix_seconds(), 100);
  EXPECT_EQ(n.history[3].created->unix_seconds(), 100);
}

TEST(NormalizeTest, FewerHistoryThanLayersAppendsFromMetadata) {
  NormalizedHistory n = NormalizeLayersAndHistory(
      {Layer("a", "meta-a"), Layer("b", "meta-b"), Layer("c", "meta-c")},
      {Entry("h1"), Entry("env", true)}, false);
  ASSERT_EQ(n.history.size(), 4u);
  EXPECT_EQ(n.history[0].created_by, "h1");
  EXPECT_EQ(n.history[2].created_by, "meta-b");
  EXPECT_EQ(n.history[3].created_by, "meta-c");
  EXPECT_EQ(n.history[3].created->unix_seconds(), 100);
  EXPECT_TRUE(n.warnings.empty());
}

TEST(NormalizeTest, MatchingCountsKeepHistoryAndFillCreated) {
  History dated = Entry("h1");
  dated.created = Timestamp::FromUnixSeconds(5);
  NormalizedHistory n = NormalizeLayersAndHistory({Layer("a", "m"), Layer("b", "m")},
                                                  {dated, Entry("h2")}, false);
  ASSERT_EQ(n.history.size(), 2u);
  EXPECT_EQ(n.history[0].created->unix_seconds(), 5);
  EXPECT_EQ(n.history[1].created->unix_seconds(), 100);
}

History At(const std::string& created_by, std::optional<int64_t> seconds, bool empty = true) {
  History h = Entry(created_by, empty);
  if (seconds) h.created = Timestamp::FromUnixSeconds(*seconds);
  return h;
}

std::vector<std::optional<int64_t>> Times(const std::vector<History>& history) {
  std::vector<std::optional<int64_t>> out;
  for (const History& h : history) {
    out.push_back(h.created ? std::optional<int64_t>(h.created->unix_seconds()) : std::nullopt);
  }
  return out;
}

// BuildKit's normalizeLayersAndHistory, last two loops: the first time
// after an undated entry (else the last time) fills undated entries; past
// it, each takes the dated entry before it.
TEST(NormalizeTest, UndatedEntriesTakeBuildKitsNeighbour) {
  using T = std::vector<std::optional<int64_t>>;
  NormalizedHistory n = NormalizeLayersAndHistory(
      {}, {At("a", 1), At("b", std::nullopt), At("c", 3), At("d", std::nullopt), At("e", 5),
           At("f", std::nullopt)}, false);
  EXPECT_EQ(Times(n.history), (T{1, 3, 3, 3, 5, 5}));
  n = NormalizeLayersAndHistory({}, {At("a", std::nullopt), At("b", 2)}, false);
  EXPECT_EQ(Times(n.history), (T{2, 2}));
  n = NormalizeLayersAndHistory({}, {At("a", 1), At("b", 2), At("c", std::nullopt)}, false);
  EXPECT_EQ(Times(n.history), (T{1, 2, 2}));
  n = NormalizeLayersAndHistory({}, {At("a", std::nullopt)}, false);
  EXPECT_EQ(Times(n.history), (T{std::nullopt}));
}

TEST(NormalizeTest, EmptyGzipLayerKeptByDefaultDroppedOnRequest) {
  ImageLayer empty = Layer("x", "empty");
  empty.descriptor.digest = *Digest::Parse(kEmptyGzipLayerDigest);
  NormalizedHistory kept =
      NormalizeLayersAndHistory({Layer("a", "a"), empty, Layer("b", "b")}, {}, false);
  EXPECT_EQ(kept.layers.size(), 3u);
  EXPECT_FALSE(kept.history[1].empty_layer);

  NormalizedHistory dropped =
      NormalizeLayersAndHistory({Layer("a", "a"), empty, Layer("b", "b")}, {}, true);
  ASSERT_EQ(dropped.layers.size(), 2u);
  EXPECT_EQ(dropped.layers[1].descriptor.digest, Digest::Sha256Of("b"));
  ASSERT_EQ(dropped.history.size(), 3u);
  EXPECT_TRUE(dropped.history[1].empty_layer);
  EXPECT_FALSE(dropped.history[2].empty_layer);
}

}  // namespace
}  // namespace imagewriter

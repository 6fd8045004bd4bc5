#include <string>

#include "gtest/gtest.h"
#include "src/json/parser.h"
#include "src/json/writer.h"
#include "src/writer/config_fragments.h"
#include "src/writer/config_patch.h"

namespace imagewriter {
namespace {

json::Value MustParse(const std::string& text) {
  absl::StatusOr<json::Value> v = json::Parse(text, "t.json");
  EXPECT_TRUE(v.ok()) << v.status();
  return *v;
}

std::string Patch(json::Value config, ConfigPatch patch) {
  absl::StatusOr<std::string> out = PatchImageConfig(std::move(config), std::move(patch));
  EXPECT_TRUE(out.ok()) << out.status();
  return out.ok() ? *out : "";
}

History At(const std::string& time, const std::string& created_by = "") {
  History h;
  h.created = *Timestamp::Parse(time);
  h.created_by = created_by;
  return h;
}

TEST(EmptyConfigTest, MatchesBuildKit) {
  std::string out = Patch(EmptyImageConfig(*Platform::Parse("linux/arm64/v8")), {});
  EXPECT_EQ(out,
            R"({"architecture":"arm64","config":{"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],"WorkingDir":"/"},"created":null,"history":[],"os":"linux","rootfs":{"type":"layers","diff_ids":[]},"variant":"v8"})");
}

TEST(PatchTest, PreservesUnknownFieldsAndFillsCreatedFromHistory) {
  json::Value base = MustParse(R"({
    "docker_version": "20.10.7",
    "container_config": {"Hostname": "abc", "Cmd": ["/bin/sh", "-c", "#(nop) <x>"]},
    "rootfs": {"type": "layers", "diff_ids": ["sha256:old"]},
    "zzz": [1.0, 2e3]
  })");
  History h1, h2;
  h1.created = *Timestamp::Parse("2020-01-01T00:00:00Z");
  h2.created = *Timestamp::Parse("2021-06-01T12:00:00.5Z");
  h2.created_by = "RUN x";
  std::string out = Patch(base, {{Digest::Sha256Of("a")}, {h1, h2}});
  EXPECT_EQ(out, std::string(R"({"container_config":{"Hostname":"abc","Cmd":["/bin/sh","-c","#(nop) \u003cx\u003e"]},)") +
                     R"("created":"2021-06-01T12:00:00.5Z","docker_version":"20.10.7",)" +
                     R"("history":[{"created":"2020-01-01T00:00:00Z"},{"created":"2021-06-01T12:00:00.5Z","created_by":"RUN x"}],)" +
                     R"("rootfs":{"type":"layers","diff_ids":[")" + Digest::Sha256Of("a").ToString() +
                     R"("]},"zzz":[1.0,2e3]})");
}

std::string CreatedOf(const std::string& config) {
  const size_t at = config.find(R"("created":)");
  return at == std::string::npos ? "<none>" : config.substr(at, config.find(',', at) - at);
}

// BuildKit's patchImageConfig: a `created` the config has is kept byte for
// byte unless strictly after the epoch; none is taken from history.
TEST(PatchTest, ExistingCreatedKeptUnlessAfterTheEpoch) {
  const json::Value base = MustParse(R"({"created":"2019-01-01T00:00:00.000Z"})");
  const std::vector<History> history = {At("2021-01-01T00:00:00Z")};
  EXPECT_EQ(CreatedOf(Patch(base, {{}, history})), R"("created":"2019-01-01T00:00:00.000Z")");
  ConfigPatch patch{{}, history};
  patch.epoch = *Timestamp::Parse("2019-01-01T00:00:00Z");  // Equal: kept.
  EXPECT_EQ(CreatedOf(Patch(base, patch)), R"("created":"2019-01-01T00:00:00.000Z")");
  patch.epoch = *Timestamp::Parse("2018-12-31T23:59:59Z");
  EXPECT_EQ(CreatedOf(Patch(base, patch)), R"("created":"2018-12-31T23:59:59Z")");
  patch.created = *Timestamp::Parse("2030-01-01T00:00:00+01:00");  // Explicit wins.
  EXPECT_EQ(CreatedOf(Patch(base, patch)), R"("created":"2030-01-01T00:00:00+01:00")");
  EXPECT_EQ(CreatedOf(Patch(MustParse(R"({"created":null})"), {{}, history, {}, patch.epoch})),
            R"("created":null)");
}

TEST(PatchTest, NoCreatedTakesTheLastDatedHistoryEntry) {
  History undated;
  undated.created_by = "no time";
  EXPECT_EQ(CreatedOf(Patch(MustParse("{}"), {{}, {At("2020-01-01T00:00:00.25+02:00"), undated}})),
            R"("created":"2020-01-01T00:00:00.25+02:00")");
  ConfigPatch patch{{}, {At("2020-01-01T00:00:00Z"), At("2030-01-01T00:00:00Z")}};
  patch.epoch = *Timestamp::Parse("2025-01-01T00:00:00Z");  // Clamped history first.
  EXPECT_EQ(CreatedOf(Patch(MustParse("{}"), patch)), R"("created":"2025-01-01T00:00:00Z")");
}

TEST(PatchTest, CreatedThatIsNotATimeIsAnError) {
  ConfigPatch patch;
  patch.epoch = Timestamp::FromUnixSeconds(0);
  for (const char* bad : {R"({"created":"yesterday"})", R"({"created":12})"}) {
    absl::StatusOr<std::string> out = PatchImageConfig(MustParse(bad), patch);
    ASSERT_FALSE(out.ok()) << bad;
    EXPECT_NE(out.status().message().find("config created"), std::string::npos) << out.status();
  }
}

// BuildKit #4614: the base's matching prefix keeps its times; from the
// first difference on, nil or later than the epoch becomes the epoch and
// earlier is kept.
TEST(ClampHistoryTest, BasePrefixKeptThenClamped) {
  const Timestamp epoch = *Timestamp::Parse("2025-01-01T00:00:00Z");
  const std::vector<History> base = {At("2030-01-01T00:00:00Z", "b1"), At("2031-01-01T00:00:00Z", "b2"),
                                     At("2032-01-01T00:00:00Z", "b3")};
  History undated;
  undated.created_by = "new, undated";
  // b1 matches; b2' differs (so b3, though equal to the base's, is clamped).
  std::vector<History> history = {base[0], At("2031-01-01T00:00:00Z", "b2'"), base[2],
                                  At("2020-01-01T00:00:00Z", "early"), undated};
  std::vector<History> clamped = history;
  ClampHistory(base, epoch, false, &clamped);
  EXPECT_EQ(clamped[0].created->Format(), "2030-01-01T00:00:00Z");
  EXPECT_EQ(clamped[1].created->Format(), "2025-01-01T00:00:00Z");
  EXPECT_EQ(clamped[2].created->Format(), "2025-01-01T00:00:00Z");
  EXPECT_EQ(clamped[3].created->Format(), "2020-01-01T00:00:00Z");
  EXPECT_EQ(clamped[4].created->Format(), "2025-01-01T00:00:00Z");
  // With no base, or with clamp_base_history, the prefix is clamped too.
  for (bool clamp_base : {false, true}) {
    clamped = history;
    ClampHistory(clamp_base ? std::optional<std::vector<History>>(base) : std::nullopt, epoch, clamp_base,
                 &clamped);
    EXPECT_EQ(clamped[0].created->Format(), "2025-01-01T00:00:00Z") << clamp_base;
  }
  // The same instant written with another offset is another entry, as in
  // Go's reflect.DeepEqual.
  clamped = {At("2030-01-01T01:00:00+01:00", "b1")};
  ClampHistory(base, epoch, false, &clamped);
  EXPECT_EQ(clamped[0].created->Format(), "2025-01-01T00:00:00Z");
}

TEST(FragmentsTest, UntouchedConfigStaysByteIdentical) {
  json::Value image = MustParse(R"({"config": {"Zed": 1, "Env": ["A=1"]}})");
  ASSERT_TRUE(ApplyConfigFragments(ConfigFragment(), &image).ok());
  EXPECT_EQ(json::Compact(image), R"({"config":{"Zed":1,"Env":["A=1"]}})");
}

TEST(FragmentsTest, EntrypointClearsInheritedCmd) {
  json::Value image = MustParse(R"({"config": {"Cmd": ["sh"], "Healthcheck": {"Test": ["NONE"]}}})");
  ConfigFragment f;
  f.entrypoint = std::vector<std::string>{"/app"};
  ASSERT_TRUE(ApplyConfigFragments(f, &image).ok());
  EXPECT_EQ(json::Compact(*image.Find("config")),
            R"({"Entrypoint":["/app"],"Healthcheck":{"Test":["NONE"]}})");

  f.cmd = std::vector<std::string>{"--flag"};
  ASSERT_TRUE(ApplyConfigFragments(f, &image).ok());
  EXPECT_EQ(json::Compact(*image.Find("config")),
            R"({"Entrypoint":["/app"],"Cmd":["--flag"],"Healthcheck":{"Test":["NONE"]}})");
}

TEST(FragmentsTest, EnvExpandsAgainstBaseAndEarlierEntries) {
  json::Value image = MustParse(R"({"config": {"Env": ["PATH=/bin", "HOME=/root"]}})");
  ConfigFragment f;
  f.env = {"PATH=/app/bin:$PATH", "GREETING=hi ${HOME}$UNKNOWN!", "B=${GREETING}", "PRICE=5$",
           "HOME=/home/app"};
  ASSERT_TRUE(ApplyConfigFragments(f, &image).ok());
  EXPECT_EQ(json::Compact(*image.Find("config")),
            R"({"Env":["PATH=/app/bin:/bin","HOME=/home/app","GREETING=hi /root!","B=hi /root!","PRICE=5$"]})");
}

TEST(FragmentsTest, SortedMapsAndNormalisedPorts) {
  json::Value image = MustParse(R"({"config": {"Labels": {"z": "1"}, "ExposedPorts": {"9/udp": {}}}})");
  ConfigFragment f;
  f.labels = {{"b", "2"}, {"a", "1"}};
  f.exposed_ports = {"8080", "53/udp"};
  f.volumes = {"/data", "/cache"};
  f.user = "65532:65532";
  f.workdir = "/app";
  f.stop_signal = "SIGTERM";
  ASSERT_TRUE(ApplyConfigFragments(f, &image).ok());
  EXPECT_EQ(json::Compact(*image.Find("config")),
            R"({"User":"65532:65532","ExposedPorts":{"53/udp":{},"8080/tcp":{},"9/udp":{}},)"
            R"("Volumes":{"/cache":{},"/data":{}},"WorkingDir":"/app","Labels":{"a":"1","b":"2","z":"1"},)"
            R"("StopSignal":"SIGTERM"})");
}

TEST(FragmentsTest, BadEntriesAreNamed) {
  json::Value image = json::Value::Object();
  ConfigFragment env;
  env.env = {"NOEQUALS"};
  absl::Status s = ApplyConfigFragments(env, &image);
  EXPECT_NE(s.message().find("env entry \"NOEQUALS\""), std::string::npos) << s;

  ConfigFragment label;
  label.labels = {{"", "v"}};
  s = ApplyConfigFragments(label, &image);
  EXPECT_NE(s.message().find("empty key"), std::string::npos) << s;

  ConfigFragment port;
  port.exposed_ports = {"70000"};
  s = ApplyConfigFragments(port, &image);
  EXPECT_NE(s.message().find("exposed port \"70000\""), std::string::npos) << s;

  json::Value bad = MustParse(R"({"config": {"Env": "PATH=/bin"}})");
  s = ApplyConfigFragments(env, &bad);
  EXPECT_NE(s.message().find("config.Env: expected an array of strings, got a string"),
            std::string::npos) << s;
}

}  // namespace
}  // namespace imagewriter

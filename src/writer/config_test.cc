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

TEST(EmptyConfigTest, MatchesBuildKit) {
  std::string out = PatchImageConfig(EmptyImageConfig(*Platform::Parse("linux/arm64/v8")), {}, {});
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
  std::string out = PatchImageConfig(base, {Digest::Sha256Of("a")}, {h1, h2});
  EXPECT_EQ(out, std::string(R"({"container_config":{"Hostname":"abc","Cmd":["/bin/sh","-c","#(nop) \u003cx\u003e"]},)") +
                     R"("created":"2021-06-01T12:00:00.5Z","docker_version":"20.10.7",)" +
                     R"("history":[{"created":"2020-01-01T00:00:00Z"},{"created":"2021-06-01T12:00:00.5Z","created_by":"RUN x"}],)" +
                     R"("rootfs":{"type":"layers","diff_ids":[")" + Digest::Sha256Of("a").ToString() +
                     R"("]},"zzz":[1.0,2e3]})");
}

TEST(PatchTest, KeepsExistingCreated) {
  json::Value base = MustParse(R"({"created":"2019-01-01T00:00:00Z"})");
  History h;
  h.created = *Timestamp::Parse("2021-01-01T00:00:00Z");
  EXPECT_NE(PatchImageConfig(base, {}, {h}).find(R"("created":"2019-01-01T00:00:00Z")"),
            std::string::npos);
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

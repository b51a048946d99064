#include "curate/cli/yaml_to_json.hpp"
#include "cli_test_util.hpp"
#include "curate/cli/config_error.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <cmath>

namespace curate::cli {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
using testing::TempDir;
using testing::write_file;

json convert(const std::string& yaml) { return yaml_to_json(YAML::Load(yaml), "test.yaml"); }

TEST(ParseYamlScalar, TypesNullsAndBooleansLikeTheCoreSchema) {
  for (const char* text : {"", "~", "null", "Null", "NULL"})
    EXPECT_TRUE(parse_yaml_scalar(text).is_null()) << text;
  for (const char* text : {"true", "True", "TRUE"})
    EXPECT_EQ(parse_yaml_scalar(text), json(true)) << text;
  for (const char* text : {"false", "False", "FALSE"})
    EXPECT_EQ(parse_yaml_scalar(text), json(false)) << text;
  // YAML 1.1's yes/no/on/off are strings in the core schema.
  for (const char* text : {"yes", "no", "on", "off", "tRue"})
    EXPECT_EQ(parse_yaml_scalar(text), json(text)) << text;
}

TEST(ParseYamlScalar, TypesIntegers) {
  EXPECT_EQ(parse_yaml_scalar("42"), json(42));
  EXPECT_TRUE(parse_yaml_scalar("42").is_number_integer());
  EXPECT_EQ(parse_yaml_scalar("-7"), json(-7));
  EXPECT_EQ(parse_yaml_scalar("+7"), json(7));
  EXPECT_EQ(parse_yaml_scalar("0x1F"), json(31));
  EXPECT_EQ(parse_yaml_scalar("0o17"), json(15));
  EXPECT_EQ(parse_yaml_scalar("-9223372036854775808"), json(INT64_MIN));
  EXPECT_EQ(parse_yaml_scalar("18446744073709551615"), json(UINT64_MAX));
  EXPECT_TRUE(parse_yaml_scalar("123456789012345678901234567890").is_number_float());
  EXPECT_EQ(parse_yaml_scalar("0x"), json("0x"));
  EXPECT_EQ(parse_yaml_scalar("12abc"), json("12abc"));
}

TEST(ParseYamlScalar, TypesFloats) {
  EXPECT_EQ(parse_yaml_scalar("1.5"), json(1.5));
  EXPECT_TRUE(parse_yaml_scalar("1.5").is_number_float());
  EXPECT_EQ(parse_yaml_scalar("-.5"), json(-0.5));
  EXPECT_EQ(parse_yaml_scalar("2."), json(2.0));
  EXPECT_EQ(parse_yaml_scalar("1e3"), json(1000.0));
  EXPECT_EQ(parse_yaml_scalar("+1.5E-2"), json(0.015));
  EXPECT_EQ(parse_yaml_scalar(".inf").get<double>(), INFINITY);
  EXPECT_EQ(parse_yaml_scalar("-.Inf").get<double>(), -INFINITY);
  EXPECT_TRUE(std::isnan(parse_yaml_scalar(".nan").get<double>()));
  for (const char* text : {".", "1e", "e3", "1.2.3", "inf", "nan", "1_000"}) {
    EXPECT_EQ(parse_yaml_scalar(text), json(text)) << text;
  }
}

TEST(YamlToJson, KeepsQuotedScalarsAsStringsAndHonoursTags) {
  const json value = convert(R"(
quoted: "42"
single: 'true'
plain: 42
tagged_str: !!str 3.5
tagged_float: !!float 3
tagged_int: !!int "12"
path: data/sample
empty:
)");
  EXPECT_EQ(value["quoted"], json("42"));
  EXPECT_EQ(value["single"], json("true"));
  EXPECT_EQ(value["plain"], json(42));
  EXPECT_EQ(value["tagged_str"], json("3.5"));
  EXPECT_EQ(value["tagged_float"], json(3.0));
  EXPECT_TRUE(value["tagged_float"].is_number_float());
  EXPECT_EQ(value["tagged_int"], json(12));
  EXPECT_EQ(value["path"], json("data/sample"));
  EXPECT_TRUE(value["empty"].is_null());
}

TEST(YamlToJson, ConvertsNestedCollections) {
  const json value = convert("a: [1, two, {b: [true, null]}]\nc: {d: 0.25}\n");
  EXPECT_EQ(value, json::parse(R"({"a": [1, "two", {"b": [true, null]}], "c": {"d": 0.25}})"));
}

TEST(YamlToJson, RejectsDuplicateKeysWithTheLine) {
  try {
    convert("a: 1\nb: 2\na: 3\n");
    FAIL() << "expected a ConfigError";
  } catch (const ConfigError& error) {
    EXPECT_THAT(error.what(), HasSubstr("test.yaml:3"));
    EXPECT_THAT(error.what(), HasSubstr("duplicate key 'a'"));
  }
}

TEST(YamlToJson, RejectsABadTaggedValue) {
  EXPECT_THROW(convert("a: !!int twelve\n"), ConfigError);
}

TEST(LoadYamlFile, ResolvesIncludesRelativeToTheIncludingFile) {
  TempDir dir;
  write_file(dir / "rules/list.yaml",
             "- {name: word_count, min_words: 3}\n- {include: more.yaml}\n");
  write_file(dir / "rules/more.yaml", "{name: urls_ratio}\n");
  write_file(dir / "pipeline.yaml", "stages:\n  - params: {filters: {include: rules/list.yaml}}\n");
  SourceMap map;
  const json value = load_yaml_file(dir / "pipeline.yaml", &map);
  EXPECT_EQ(value["stages"][0]["params"]["filters"],
            json::parse(R"([{"name": "word_count", "min_words": 3}, {"name": "urls_ratio"}])"));
  EXPECT_EQ(map.locate("/stages/0/params/filters/1").file, dir / "rules/more.yaml");
  EXPECT_EQ(map.locate("/stages/0/params/filters/0/min_words").line, 1);
  EXPECT_EQ(map.locate("/stages/0/params").line, 2);
  EXPECT_EQ(map.locate("/stages/0/params").file, dir / "pipeline.yaml");
}

TEST(LoadYamlFile, ReportsIncludeCyclesAndMissingFiles) {
  TempDir dir;
  write_file(dir / "a.yaml", "x: {include: b.yaml}\n");
  write_file(dir / "b.yaml", "y: {include: a.yaml}\n");
  write_file(dir / "c.yaml", "z: {include: missing.yaml}\n");
  try {
    load_yaml_file(dir / "a.yaml");
    FAIL() << "expected a ConfigError";
  } catch (const ConfigError& error) {
    EXPECT_THAT(error.what(), HasSubstr("includes itself"));
    EXPECT_THAT(error.what(), HasSubstr("b.yaml:1"));
  }
  try {
    load_yaml_file(dir / "c.yaml");
    FAIL() << "expected a ConfigError";
  } catch (const ConfigError& error) {
    EXPECT_THAT(error.what(), HasSubstr("c.yaml:1"));
    EXPECT_THAT(error.what(), HasSubstr("missing.yaml"));
  }
}

TEST(LoadYamlFile, NamesFileAndLineOfASyntaxError) {
  TempDir dir;
  write_file(dir / "bad.yaml", "a: 1\nb: [1, 2\nc: 3\n");
  try {
    load_yaml_file(dir / "bad.yaml");
    FAIL() << "expected a ConfigError";
  } catch (const ConfigError& error) {
    EXPECT_THAT(error.what(), HasSubstr("bad.yaml:"));
    EXPECT_THAT(error.what(), HasSubstr("invalid YAML"));
  }
  EXPECT_THROW(load_yaml_file(dir / "absent.yaml"), ConfigError);
}

TEST(ParseYamlValue, ParsesScalarsAndFlowCollections) {
  EXPECT_EQ(parse_yaml_value("12", "--set"), json(12));
  EXPECT_EQ(parse_yaml_value("data/x", "--set"), json("data/x"));
  EXPECT_EQ(parse_yaml_value("[a, 2]", "--set"), json::parse(R"(["a", 2])"));
  EXPECT_EQ(parse_yaml_value("{cpus: 2}", "--set"), json::parse(R"({"cpus": 2})"));
  EXPECT_TRUE(parse_yaml_value("", "--set").is_null());
  EXPECT_THROW(parse_yaml_value("[a, b", "--set"), ConfigError);
}

}  // namespace
}  // namespace curate::cli

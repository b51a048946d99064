#include "curate/io/json_text.hpp"
#include "curate/io/json_object_scanner.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <limits>

namespace curate::io {
namespace {

std::string as_json_string(std::string_view value) {
  std::string out;
  append_json_string(out, value);
  return out;
}

TEST(JsonTextTest, EscapesWhatJsonRequiresAndNothingElse) {
  EXPECT_EQ(as_json_string("plain"), "\"plain\"");
  EXPECT_EQ(as_json_string("a\"b\\c\n\t\r\b\f"), R"("a\"b\\c\n\t\r\b\f")");
  EXPECT_EQ(as_json_string(std::string("\x01\x1f", 2)), R"("\u0001\u001f")");
  EXPECT_EQ(as_json_string("caf\xC3\xA9 \xF0\x9F\x98\x80 /"), "\"caf\xC3\xA9 \xF0\x9F\x98\x80 /\"");
}

TEST(JsonTextTest, EscapedStringsParseBackToTheSameBytes) {
  std::string all;
  for (int c = 1; c < 128; ++c) all += static_cast<char>(c);
  all += "\xC3\xA9\xF0\x9F\x98\x80";
  EXPECT_EQ(nlohmann::json::parse(as_json_string(all)).get<std::string>(), all);
}

TEST(JsonTextTest, NumbersRoundTrip) {
  for (const double value : {0.1, 1e-7, 123456789.125, -2.5e300, 5e-324, 1.0 / 3}) {
    std::string out;
    append_json_number(out, value);
    EXPECT_EQ(nlohmann::json::parse(out).get<double>(), value) << out;
  }
  std::string nan;
  append_json_number(nan, std::numeric_limits<double>::quiet_NaN());
  EXPECT_EQ(nan, "null");
  std::string big;
  append_json_number(big, std::numeric_limits<std::int64_t>::min());
  EXPECT_EQ(big, "-9223372036854775808");
}

TEST(JsonTextTest, UnescapesEscapesAndSurrogatePairs) {
  std::string out;
  ASSERT_TRUE(unescape_json_string(R"(caf\u00e9 \ud83d\ude00 \n\"\\\/)", out));
  EXPECT_EQ(out, "caf\xC3\xA9 \xF0\x9F\x98\x80 \n\"\\/");
  EXPECT_FALSE(unescape_json_string(R"(\ud83d alone)", out));
  EXPECT_FALSE(unescape_json_string(R"(\ude00)", out));
  EXPECT_FALSE(unescape_json_string(R"(\x41)", out));
  EXPECT_FALSE(unescape_json_string(R"(\u12)", out));
  EXPECT_FALSE(unescape_json_string("trailing\\", out));
}

TEST(JsonObjectScannerTest, FindsTopLevelMembersAndKeepsTheirBytes) {
  const std::string json =
      R"( { "a" : 1 ,"b":{"x":[1,"}",{"y":"]"}]}, "t\"k": "v\"}" , "n":null } )";
  JsonObjectLayout layout;
  ASSERT_TRUE(scan_json_object(json, layout));
  ASSERT_EQ(layout.members.size(), 4u);
  auto value = [&](std::size_t i) {
    const auto& m = layout.members[i];
    return json.substr(m.value_begin, m.value_end - m.value_begin);
  };
  EXPECT_EQ(layout.members[0].key, "a");
  EXPECT_EQ(value(0), "1");
  EXPECT_EQ(value(1), R"({"x":[1,"}",{"y":"]"}]})");
  EXPECT_EQ(layout.members[2].key, R"(t\"k)");
  EXPECT_EQ(value(2), R"("v\"}")");
  EXPECT_EQ(value(3), "null");
  EXPECT_EQ(json[layout.close_brace], '}');
  std::string scratch;
  EXPECT_TRUE(json_key_equals(layout.members[2], "t\"k", scratch));
  EXPECT_FALSE(json_key_equals(layout.members[2], "tk", scratch));
}

TEST(JsonObjectScannerTest, BackslashRunsBeforeQuotesAreCounted) {
  const std::string json = R"({"a\\":"x\\\"y\\","b":"\\"})";
  JsonObjectLayout layout;
  ASSERT_TRUE(scan_json_object(json, layout));
  ASSERT_EQ(layout.members.size(), 2u);
  EXPECT_EQ(layout.members[0].key, R"(a\\)");
  EXPECT_EQ(json.substr(layout.members[0].value_begin,
                        layout.members[0].value_end - layout.members[0].value_begin),
            R"("x\\\"y\\")");
  EXPECT_EQ(layout.members[1].key, "b");
  EXPECT_EQ(nlohmann::json::parse(json)["a\\"], "x\\\"y\\");
}

TEST(JsonObjectScannerTest, AcceptsTheEmptyObject) {
  JsonObjectLayout layout;
  ASSERT_TRUE(scan_json_object(" {  } ", layout));
  EXPECT_TRUE(layout.members.empty());
  EXPECT_EQ(layout.close_brace, 4u);
}

TEST(JsonObjectScannerTest, RejectsWhatIsNotAnObject) {
  JsonObjectLayout layout;
  for (const char* bad : {"", "[1]", "{", "{\"a\"}", "{\"a\":}", "{\"a\":1,}", "{\"a\":1 \"b\":2}",
                          "{\"a\":[1}", "{\"a\":\"x}", "{\"a\":1} x", "{a:1}"}) {
    EXPECT_FALSE(scan_json_object(bad, layout)) << bad;
  }
}

TEST(JsonObjectScannerTest, DeepNestingIsRejectedNotOverflowed) {
  const std::string deep = "{\"a\":" + std::string(5000, '[') + std::string(5000, ']') + "}";
  JsonObjectLayout layout;
  EXPECT_FALSE(scan_json_object(deep, layout));
}

}  // namespace
}  // namespace curate::io

#include "gps/json/json.h"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

namespace gps::json {
namespace {

constexpr std::size_t kLimit = 64 * 1024;

Document MustParse(std::string_view text) {
  Result<Document> doc = Parse(text, kLimit, "test");
  if (!doc.ok()) {
    // gtest reports the exception as this test's failure and carries on with the next test.
    throw std::runtime_error(std::string(text) + ": " + doc.status().ToString());
  }
  return std::move(doc).value();
}

void ExpectRefused(std::string_view text, std::string_view why) {
  Result<Document> doc = Parse(text, kLimit, "announce");
  EXPECT_FALSE(doc.ok()) << why << ": " << text;
  EXPECT_TRUE(doc.status().IsInvalidArgument()) << why;
  EXPECT_EQ(doc.status().message().rfind("announce: ", 0), 0u) << doc.status().message();
}

TEST(JsonParse, AcceptsEveryKindOfValue) {
  Document doc = MustParse(R"({"s":"x","i":-5,"b":true,"n":null,"a":[1,2],"o":{"k":"v"}})");
  Value root = doc.Root();
  EXPECT_TRUE(root.IsObject());
  EXPECT_EQ(*root.GetString("s"), "x");
  EXPECT_EQ(*root.GetInt("i"), -5);
  EXPECT_EQ(*root.GetBool("b"), true);
  EXPECT_TRUE(root.Get("n")->IsNull());
  EXPECT_EQ(root.GetArray("a")->size(), 2u);
  EXPECT_EQ(*root.GetObject("o")->GetString("k"), "v");
}

TEST(JsonParse, RefusesMalformedText) {
  ExpectRefused("", "empty");
  ExpectRefused("{", "unterminated object");
  ExpectRefused("{\"a\":}", "missing value");
  ExpectRefused("{'a':1}", "single quotes");
  ExpectRefused("{\"a\":1,}", "trailing comma");
  ExpectRefused("[1 2]", "missing comma");
  ExpectRefused("{\"a\":01}", "leading zero");
  ExpectRefused("{\"a\":NaN}", "NaN");
  ExpectRefused("{\"a\":\"\x01\"}", "raw control character");
  ExpectRefused("{\"a\":\"\\x41\"}", "bad escape");
  ExpectRefused("{\"a\":\"\\ud800\"}", "lone surrogate escape");
  ExpectRefused("// comment\n{}", "comment");
}

TEST(JsonParse, RefusesTrailingGarbage) {
  ExpectRefused("{} x", "garbage after value");
  ExpectRefused("{}{}", "two values");
  ExpectRefused("1 2", "two numbers");
  ExpectRefused(std::string("{}\0", 3), "NUL after value");
  // Whitespace around the value is fine.
  EXPECT_TRUE(Parse(" \n{}\t\r\n", kLimit, "t").ok());
}

TEST(JsonParse, RefusesInvalidUtf8) {
  ExpectRefused("{\"a\":\"\xff\"}", "0xff byte");
  ExpectRefused("{\"a\":\"\xc3\"}", "truncated two-byte sequence");
  ExpectRefused("{\"a\":\"\xc0\xaf\"}", "overlong encoding");
  ExpectRefused("{\"a\":\"\xed\xa0\x80\"}", "encoded surrogate");
  ExpectRefused("{\"a\":\"\xf4\x90\x80\x80\"}", "above U+10FFFF");
  ExpectRefused("{\"\xfe\":1}", "invalid key");
  Document ok = MustParse("{\"a\":\"gr\xc3\xbc\xc3\x9f \xf0\x9f\x98\x80\"}");
  EXPECT_EQ(*ok.Root().GetString("a"), "gr\xc3\xbc\xc3\x9f \xf0\x9f\x98\x80");
}

TEST(JsonParse, RefusesEscapedUnpairedSurrogates) {
  // RapidJSON turns these escapes into the surrogate's bytes, which are not UTF-8: accepted, they
  // would make Serialize() write text that the next Parse() refuses (found by fuzz/result).
  ExpectRefused(R"({"a":"\udc00"})", "lone low surrogate");
  ExpectRefused(R"({"a":"x\udfffy"})", "lone low surrogate inside text");
  ExpectRefused(R"({"\udc00":1})", "lone low surrogate in a key");
  ExpectRefused(R"({"a":[{"b":["\ude00"]}]})", "lone low surrogate deep inside");
  ExpectRefused(R"(["\udc00"])", "lone low surrogate in a root array");
  ExpectRefused(R"({"a":"\ud83d\u0041"})", "high surrogate without its low half");
  Document ok = MustParse(R"({"a":"\ud83d\ude00","\ud83d\ude00":1})");
  EXPECT_EQ(*ok.Root().GetString("a"), "\xf0\x9f\x98\x80");
  EXPECT_TRUE(MustParse(ok.Root().Serialize()).Root().Has("\xf0\x9f\x98\x80"));
}

TEST(JsonParse, RefusesNumbersBeyondTheRangeOfADouble) {
  // RapidJSON reads these as infinity, which its writer cannot write: Serialize() gave a cut-off
  // text (found by fuzz/job, in a job's facts).
  ExpectRefused(R"({"a":2e308})", "just above the largest double");
  ExpectRefused(R"({"a":[-1.8e308]})", "negative, inside an array");
  ExpectRefused(R"({"a":1e400})", "far above");
  Document max = MustParse(R"({"a":1.7976931348623157e308,"b":-1.7976931348623157e308})");
  EXPECT_EQ(max.Root().Serialize(), R"({"a":1.7976931348623157e308,"b":-1.7976931348623157e308})");
}

TEST(JsonParse, RefusesInputOverTheSizeLimit) {
  std::string text = "{\"a\":\"" + std::string(100, 'x') + "\"}";
  EXPECT_TRUE(Parse(text, text.size(), "msg").ok());
  Result<Document> doc = Parse(text, text.size() - 1, "msg");
  EXPECT_FALSE(doc.ok());
  EXPECT_TRUE(doc.status().IsInvalidArgument());
  EXPECT_NE(doc.status().message().find("exceeds the limit"), std::string::npos)
      << doc.status().message();
}

TEST(JsonParse, RefusesVeryDeepNestingWithoutCrashing) {
  const std::string open(100000, '[');
  for (const std::string& text :
       {open, open + std::string(100000, ']'), std::string(50000, '{') + "}",
        "{\"a\":" + open + std::string(100000, ']') + "}"}) {
    Result<Document> doc = Parse(text, 1 << 20, "deep");
    EXPECT_FALSE(doc.ok());
    EXPECT_TRUE(doc.status().IsInvalidArgument());
  }
  Result<Document> doc = Parse(open + std::string(100000, ']'), 1 << 20, "deep");
  EXPECT_EQ(doc.status().message(), "deep: nested deeper than 256 levels");
}

TEST(JsonParse, NestingUpToTheLimitIsAcceptedAndSerializes) {
  std::string text;
  for (int i = 0; i < 255; ++i) {
    text += "{\"a\":";
  }
  text += "[1]" + std::string(255, '}');
  Result<Document> doc = Parse(text, 1 << 20, "deep");
  ASSERT_TRUE(doc.ok()) << doc.status().ToString();
  EXPECT_EQ(doc->Root().Serialize(), text);
  EXPECT_FALSE(Parse("[" + text + "]", 1 << 20, "deep").ok());
}

TEST(JsonParse, BracketsInsideStringsDoNotCountAsNesting) {
  std::string text = "{\"s\":\"" + std::string(1000, '[') + "\\\"{{{\"}";
  Result<Document> doc = Parse(text, 1 << 20, "strings");
  ASSERT_TRUE(doc.ok()) << doc.status().ToString();
  EXPECT_EQ(*doc->Root().GetString("s"), std::string(1000, '[') + "\"{{{");
}

TEST(JsonParseObject, RefusesANonObjectRoot) {
  for (const char* text : {"[]", "1", "\"s\"", "null", "true"}) {
    Result<Document> doc = ParseObject(text, kLimit, "job");
    EXPECT_FALSE(doc.ok()) << text;
    EXPECT_TRUE(doc.status().IsInvalidArgument());
    EXPECT_NE(doc.status().message().find("expected a JSON object"), std::string::npos);
  }
  EXPECT_TRUE(ParseObject("{}", kLimit, "job").ok());
}

TEST(JsonValue, WrongTypesNameTheFieldPath) {
  Document doc = MustParse(R"({"a":{"b":[{"c":"text"}],"n":1.5,"big":1e30,"s":7}})");
  Result<Value> a = doc.Root().GetObject("a");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->path(), "test.a");

  EXPECT_EQ(a->GetString("s").status().message(), "test.a.s: expected string, got number");

  Result<std::vector<Value>> b = a->GetArray("b");
  ASSERT_TRUE(b.ok());
  ASSERT_EQ(b->size(), 1u);
  EXPECT_EQ((*b)[0].path(), "test.a.b[0]");
  Result<std::int64_t> c = (*b)[0].GetInt("c");
  EXPECT_EQ(c.status().message(), "test.a.b[0].c: expected integer, got string");

  EXPECT_EQ(a->GetInt("n").status().message(),
            "test.a.n: expected an integer, got a non-integer number");
  EXPECT_FALSE(a->GetInt("big").ok());
  EXPECT_EQ(a->GetBool("s").status().message(), "test.a.s: expected boolean, got number");
  EXPECT_EQ(a->GetObject("b").status().message(), "test.a.b: expected object, got array");
  EXPECT_EQ(a->GetArray("s").status().message(), "test.a.s: expected array, got number");
  EXPECT_EQ(a->GetString("missing").status().message(), "test.a.missing: missing");
  EXPECT_EQ((*b)[0].Get("c")->GetString("x").status().message(),
            "test.a.b[0].c: expected object, got string");
}

TEST(JsonValue, IntegersCoverTheInt64Range) {
  Document doc = MustParse(
      R"({"min":-9223372036854775808,"max":9223372036854775807,"over":9223372036854775808})");
  EXPECT_EQ(*doc.Root().GetInt("min"), INT64_MIN);
  EXPECT_EQ(*doc.Root().GetInt("max"), INT64_MAX);
  EXPECT_EQ(doc.Root().GetInt("over").status().message(),
            "test.over: integer out of range (64-bit signed)");
}

TEST(JsonValue, IntegersOutOfRangeSaySo) {
  Document doc = MustParse(
      R"({"under":-9223372036854775809,"huge":1e30,"tiny":-1e300,"big":18446744073709551616,)"
      R"("frac":2.5,"exp":1e3})");
  for (const char* key : {"under", "huge", "tiny", "big"}) {
    EXPECT_EQ(doc.Root().GetInt(key).status().message(),
              "test." + std::string(key) + ": integer out of range (64-bit signed)");
  }
  // Within the range, a fraction or an exponent is still not an integer.
  for (const char* key : {"frac", "exp"}) {
    EXPECT_EQ(doc.Root().GetInt(key).status().message(),
              "test." + std::string(key) + ": expected an integer, got a non-integer number");
  }
}

TEST(JsonValue, StringLimitsAreEnforced) {
  std::string at_default(kDefaultMaxString, 'x');
  std::string over_default(kDefaultMaxString + 1, 'x');
  Document doc = MustParse("{\"ok\":\"" + at_default + "\",\"long\":\"" + over_default +
                           "\",\"five\":\"12345\"}");
  Value root = doc.Root();
  EXPECT_TRUE(root.GetString("ok").ok());
  Result<std::string> too_long = root.GetString("long");
  EXPECT_FALSE(too_long.ok());
  EXPECT_NE(too_long.status().message().find("test.long"), std::string::npos);
  EXPECT_NE(too_long.status().message().find("exceeds the limit"), std::string::npos);
  EXPECT_TRUE(root.GetString("long", kDefaultMaxString + 1).ok());
  EXPECT_TRUE(root.GetString("five", 5).ok());
  EXPECT_FALSE(root.GetString("five", 4).ok());
  EXPECT_FALSE(root.GetStringOr("five", "", 4).ok());
  EXPECT_FALSE(root.Get("five")->AsString(4).ok());
}

TEST(JsonValue, StringsMayHoldEscapedNulAndUnicode) {
  Document doc = MustParse(R"({"s":"a\u0000b\u00e9\n"})");
  Result<std::string> s = doc.Root().GetString("s");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(*s, std::string("a\0b\xc3\xa9\n", 6));
}

TEST(JsonValue, OrGettersFallBackOnlyWhenAbsentOrNull) {
  Document doc = MustParse(R"({"null":null,"s":"x","i":3,"b":false})");
  Value root = doc.Root();
  EXPECT_EQ(*root.GetStringOr("absent", "fb"), "fb");
  EXPECT_EQ(*root.GetStringOr("null", "fb"), "fb");
  EXPECT_EQ(*root.GetStringOr("s", "fb"), "x");
  EXPECT_EQ(*root.GetIntOr("absent", 9), 9);
  EXPECT_EQ(*root.GetIntOr("null", 9), 9);
  EXPECT_EQ(*root.GetIntOr("i", 9), 3);
  EXPECT_EQ(*root.GetBoolOr("absent", true), true);
  EXPECT_EQ(*root.GetBoolOr("null", true), true);
  EXPECT_EQ(*root.GetBoolOr("b", true), false);
  // Present with another type is an error, not the fallback.
  EXPECT_EQ(root.GetStringOr("i", "fb").status().message(), "test.i: expected string, got number");
  EXPECT_EQ(root.GetIntOr("s", 9).status().message(), "test.s: expected integer, got string");
  EXPECT_FALSE(root.GetBoolOr("i", true).ok());
  // The plain getters do not treat null as absent.
  EXPECT_EQ(root.GetString("null").status().message(), "test.null: expected string, got null");
}

TEST(JsonValue, OrGettersOnANonObjectAreErrors) {
  Document doc = MustParse("[1]");
  EXPECT_FALSE(doc.Root().GetStringOr("a", "x").ok());
  EXPECT_FALSE(doc.Root().GetIntOr("a", 1).ok());
  EXPECT_FALSE(doc.Root().GetBoolOr("a", true).ok());
  EXPECT_FALSE(doc.Root().Get("a").ok());
  EXPECT_FALSE(doc.Root().Has("a"));
  EXPECT_FALSE(doc.Root().Find("a").has_value());
}

TEST(JsonValue, HasSeesNullButFindDoesNot) {
  Document doc = MustParse(R"({"n":null,"v":1})");
  EXPECT_TRUE(doc.Root().Has("n"));
  EXPECT_FALSE(doc.Root().Find("n").has_value());
  EXPECT_TRUE(doc.Root().Find("v").has_value());
  EXPECT_FALSE(doc.Root().Has("absent"));
}

TEST(JsonValue, MembersKeepDocumentOrder) {
  Document doc = MustParse(R"({"z":1,"a":2,"m":3})");
  Result<std::vector<std::pair<std::string, Value>>> members = doc.Root().Members();
  ASSERT_TRUE(members.ok());
  ASSERT_EQ(members->size(), 3u);
  EXPECT_EQ((*members)[0].first, "z");
  EXPECT_EQ((*members)[1].first, "a");
  EXPECT_EQ((*members)[2].second.path(), "test.m");
  EXPECT_FALSE(doc.Root().Get("z")->Members().ok());
}

TEST(JsonValue, TypeNamesAreHumanReadable) {
  Document doc = MustParse(R"([null,true,{},[],"s",1])");
  Result<std::vector<Value>> items = doc.Root().AsArray();
  ASSERT_TRUE(items.ok());
  const char* expected[] = {"null", "boolean", "object", "array", "string", "number"};
  for (std::size_t i = 0; i < items->size(); ++i) {
    EXPECT_EQ((*items)[i].TypeName(), expected[i]);
    // The same names for a raw value, as code holding RapidJSON values asks for them.
    EXPECT_EQ(TypeName(*(*items)[i].raw()), expected[i]);
  }
}

TEST(JsonValue, SerializeGivesCompactTextThatParsesBack) {
  Document doc = MustParse(R"({ "facts" : { "b" : [1, "two", null], "a" : {"x": true} } })");
  std::string facts = doc.Root().Get("facts")->Serialize();
  EXPECT_EQ(facts, R"({"b":[1,"two",null],"a":{"x":true}})");
  EXPECT_TRUE(ParseObject(facts, kLimit, "again").ok());
}

TEST(JsonWriter, BuildsCompactJson) {
  Writer w;
  w.BeginObject()
      .Field("s", "text")
      .Field("i", std::int64_t{-42})
      .Field("n", 7)
      .Field("b", true)
      .Key("null")
      .Null()
      .Key("a")
      .BeginArray()
      .Int(1)
      .String("two")
      .Bool(false)
      .EndArray()
      .Key("raw")
      .Raw(R"({"x":[1]})")
      .EndObject();
  EXPECT_EQ(
      w.Take(),
      R"({"s":"text","i":-42,"n":7,"b":true,"null":null,"a":[1,"two",false],"raw":{"x":[1]}})");
}

TEST(JsonWriter, CanBeReusedAfterTake) {
  Writer w;
  w.BeginArray().EndArray();
  EXPECT_EQ(w.Take(), "[]");
  w.BeginObject().Field("k", "v").EndObject();
  EXPECT_EQ(w.Take(), R"({"k":"v"})");
}

TEST(JsonWriter, EscapesStringsAndKeys) {
  Writer w;
  std::string nasty = std::string("q\"b\\s/n\nt\tc\x01z\0e", 15);
  w.BeginObject().Field(nasty, nasty).EndObject();
  std::string text = w.Take();
  EXPECT_EQ(text.find('\n'), std::string::npos);
  EXPECT_EQ(text.find('\x01'), std::string::npos);
  Result<Document> doc = ParseObject(text, kLimit, "escaped");
  ASSERT_TRUE(doc.ok()) << text;
  Result<std::string> back = doc->Root().GetString(nasty);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, nasty);
}

TEST(JsonWriter, OutputIsValidJsonEvenForInvalidUtf8Input) {
  // Text from outside (an HTTP body, a payload) may be cut mid-character or not be UTF-8 at all;
  // what we write must still be JSON that our own parser accepts.
  Writer w;
  w.BeginObject()
      .Field("cut", "ab\xc3")
      .Field("binary", "\xff\xfe\x80 ok")
      .Field("fine", "gr\xc3\xbc\xc3\x9f")
      .EndObject();
  std::string text = w.Take();
  Result<Document> doc = ParseObject(text, kLimit, "written");
  ASSERT_TRUE(doc.ok()) << doc.status().ToString();
  EXPECT_EQ(doc->Root().GetString("cut")->rfind("ab", 0), 0u);
  EXPECT_NE(doc->Root().GetString("binary")->find(" ok"), std::string::npos);
  EXPECT_EQ(*doc->Root().GetString("fine"), "gr\xc3\xbc\xc3\x9f");
  EXPECT_TRUE(Parse(Quote("x\xe2\x82"), kLimit, "quoted").ok());
}

TEST(JsonQuote, GivesAStringLiteralWithQuotes) {
  EXPECT_EQ(Quote(""), "\"\"");
  EXPECT_EQ(Quote("plain"), "\"plain\"");
  EXPECT_EQ(Quote("a\"b"), R"("a\"b")");
  EXPECT_EQ(Quote("back\\slash"), R"("back\\slash")");
  EXPECT_EQ(Quote("line\nbreak\ttab"), R"("line\nbreak\ttab")");
  EXPECT_EQ(Quote(std::string("\x00\x1f", 2)), R"("\u0000\u001F")");
  EXPECT_EQ(Quote("gr\xc3\xbc\xc3\x9f"), "\"gr\xc3\xbc\xc3\x9f\"");
  Result<Document> doc = Parse(Quote("x\"\\\n\x02"), kLimit, "q");
  ASSERT_TRUE(doc.ok());
  EXPECT_EQ(*doc->Root().AsString(), "x\"\\\n\x02");
}

}  // namespace
}  // namespace gps::json

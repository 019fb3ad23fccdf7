#include <doctest/doctest.h>

#include <string>

#include "messages/sm_request.hpp"

using namespace hbs;

namespace {

std::string req(const std::string& reqid) {
  return R"({"origin":"sm","service":"heartbeat","request":"cluster_info","reqid":)" + reqid +
         "}";
}

} // namespace

TEST_CASE("SM's request is accepted with reqid as a number or a numeric string") {
  CHECK(parse_sm_request(req("123")).reqid == 123);
  CHECK(parse_sm_request(req("\"65534\"")).reqid == 65534);
  auto pulse = parse_sm_request(req("\"0\""));
  CHECK(pulse.error == sm_error::none);
  CHECK(pulse.reqid == 0); // the alive pulse
  CHECK(parse_sm_request(R"( { "reqid" : 7, "request":"cluster_info", "service":"heartbeat",
                             "origin":"sm" } )").reqid == 7);
}

TEST_CASE("every malformed SM request is rejected with its reason") {
  CHECK(parse_sm_request("not json").error == sm_error::not_json);
  CHECK(parse_sm_request("{\"origin\":").error == sm_error::not_json);
  CHECK(parse_sm_request("[1,2]").error == sm_error::not_object);
  CHECK(parse_sm_request(R"({"origin":"sm","service":"heartbeat","request":"cluster_info"})")
          .error == sm_error::wrong_keys);
  CHECK(parse_sm_request(R"({"origin":"xx","service":"heartbeat","request":"cluster_info",)"
                         R"("reqid":1})").error == sm_error::wrong_keys);
  CHECK(parse_sm_request(R"({"origin":"sm","service":"heartbeat","request":"cluster_info",)"
                         R"("reqid":1,"extra":2})").error == sm_error::wrong_keys);
  CHECK(parse_sm_request(req("-1")).error == sm_error::bad_reqid);
  CHECK(parse_sm_request(req("65536")).error == sm_error::bad_reqid);
  CHECK(parse_sm_request(req("\"12a\"")).error == sm_error::bad_reqid);
  CHECK(parse_sm_request(req("\"\"")).error == sm_error::bad_reqid);
  CHECK(parse_sm_request(req("1.5")).error == sm_error::bad_reqid);
  CHECK(parse_sm_request(std::string(200, ' ') + req("1")).error == sm_error::oversized);
}

#pragma once
// Included only by the HTTP server and the websocket connector: it carries Beast types.
#include <utility>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

namespace bounceback::http {

// A connection whose HTTP request asked to become a websocket, handed over whole.
struct WebsocketUpgrade {
  boost::asio::ip::tcp::socket socket;
  boost::beast::http::request<boost::beast::http::string_body> request;
  std::string remote_ip;
};

}  // namespace bounceback::http

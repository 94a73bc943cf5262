-- wrk script: every request adds one unit of the product given after `--` to a new guest
-- cart (no cart token), as a first visit's "add to cart" does.
function init(args)
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  wrk.body = '{"product_id":"' .. args[1] .. '","quantity":1}'
end

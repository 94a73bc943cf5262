-- wrk script: every request adds one unit of the product PRODUCT_ID (environment) to a new
-- guest cart (no cart token), as a first visit's "add to cart" does.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"product_id":"' .. os.getenv("PRODUCT_ID") .. '","quantity":1}'

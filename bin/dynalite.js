#!/usr/bin/env node
// dynalite for `make run` (bin/local_stack.py starts it): the same server its own command starts
// (node_modules/.bin/dynalite), except that a client closing its connection in the middle of a
// request no longer ends the process. dynalite 4.0.0 rethrows the request's "aborted" error, so
// one `curl --max-time` against it, or a client timing out while sending, stopped the whole
// DynamoDB of the stack. Usage: dynalite.js --host H --port P --path DIR
'use strict'

const argv = require('minimist')(process.argv.slice(2))
const dynalite = require('dynalite')

const server = dynalite({ path: argv.path })
const [handle] = server.listeners('request')
server.removeAllListeners('request')
server.on('request', (req, res) => {
  handle(req, res)
  // dynalite's own listener (added just now, synchronously) throws: the request is abandoned
  // by its client, there is nobody left to answer, and no write was started for it.
  req.removeAllListeners('error')
  req.on('error', (err) => {
    console.error('dynalite: a client left in the middle of a request (%s); ignored', err.message)
  })
})
server.listen(argv.port || 4567, argv.host || undefined, () => {
  const address = server.address()
  console.log('Dynalite listening at: http://%s:%s', argv.host || 'localhost', address.port)
})

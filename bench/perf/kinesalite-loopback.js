// Starts kinesalite (in memory) on 127.0.0.1 only: its own CLI listens on every interface and has
// no host option. Streams become ACTIVE at once so a measurement does not wait for them.
// Usage: node kinesalite-loopback.js PORT   (NODE_PATH must hold kinesalite's node_modules)
var kinesalite = require('kinesalite')
var port = parseInt(process.argv[2] || '4568', 10)
var server = kinesalite({createStreamMs: 0, deleteStreamMs: 0, updateStreamMs: 0, shardLimit: 100})
server.listen(port, '127.0.0.1', function () {
  var a = server.address()
  console.log('kinesalite listening at http://%s:%s', a.address, a.port)
})
process.on('SIGTERM', function () { server.close(); process.exit(0) })

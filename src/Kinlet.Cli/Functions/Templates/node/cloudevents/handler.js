// Called with every CloudEvent: edit this.
// event: { specversion, id, source, type, datacontenttype, data, ...extensions } (JSON data is parsed).
// Return an event ({ type, data, ... }; id, source and specversion are filled in) to reply, or nothing (202).
module.exports = async function handle(event) {
  console.log(`received ${event.type} ${event.id} from ${event.source}`);
  return { type: 'com.example.reply', data: { received: event.id, type: event.type } };
};

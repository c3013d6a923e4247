/*
 * Test support (not part of the build): the Swagger Petstore (OpenAPI 3.0
 * edition, petstore3.swagger.io), its operations with their own summaries,
 * descriptions, parameters and schemas, as an integration's `openAPISpec`.
 */

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: unknown) => ({ 'application/json': { schema } });
const idParam = (name: string, description: string) => ({ name, in: 'path', description, required: true, schema: { type: 'integer', format: 'int64' } });

export function petstoreSpec(): Record<string, unknown> {
  return {
    openapi: '3.0.3',
    info: {
      title: 'Swagger Petstore - OpenAPI 3.0',
      description: 'This is a sample Pet Store Server based on the OpenAPI 3.0 specification.',
      version: '1.0.19',
    },
    servers: [{ url: 'https://petstore3.swagger.io/api/v3' }],
    tags: [
      { name: 'pet', description: 'Everything about your Pets' },
      { name: 'store', description: 'Access to Petstore orders' },
      { name: 'user', description: 'Operations about user' },
    ],
    paths: {
      '/pet': {
        put: {
          tags: ['pet'],
          summary: 'Update an existing pet',
          description: 'Update an existing pet by Id',
          operationId: 'updatePet',
          requestBody: { $ref: '#/components/requestBodies/Pet' },
          responses: { '200': { description: 'Successful operation', content: json(ref('Pet')) }, '404': { description: 'Pet not found' } },
        },
        post: {
          tags: ['pet'],
          summary: 'Add a new pet to the store',
          description: 'Add a new pet to the store',
          operationId: 'addPet',
          requestBody: { $ref: '#/components/requestBodies/Pet' },
          responses: { '200': { description: 'Successful operation', content: json(ref('Pet')) }, '405': { description: 'Invalid input' } },
        },
      },
      '/pet/findByStatus': {
        get: {
          tags: ['pet'],
          summary: 'Finds Pets by status',
          description: 'Multiple status values can be provided with comma separated strings',
          operationId: 'findPetsByStatus',
          parameters: [
            { name: 'status', in: 'query', description: 'Status values that need to be considered for filter', required: false, explode: true, schema: { type: 'string', default: 'available', enum: ['available', 'pending', 'sold'] } },
          ],
          responses: { '200': { description: 'successful operation', content: json({ type: 'array', items: ref('Pet') }) }, '400': { description: 'Invalid status value' } },
        },
      },
      '/pet/findByTags': {
        get: {
          tags: ['pet'],
          summary: 'Finds Pets by tags',
          description: 'Multiple tags can be provided with comma separated strings. Use tag1, tag2, tag3 for testing.',
          operationId: 'findPetsByTags',
          parameters: [{ name: 'tags', in: 'query', description: 'Tags to filter by', required: false, explode: true, schema: { type: 'array', items: { type: 'string' } } }],
          responses: { '200': { description: 'successful operation', content: json({ type: 'array', items: ref('Pet') }) }, '400': { description: 'Invalid tag value' } },
        },
      },
      '/pet/{petId}': {
        get: {
          tags: ['pet'],
          summary: 'Find pet by ID',
          description: 'Returns a single pet',
          operationId: 'getPetById',
          parameters: [idParam('petId', 'ID of pet to return')],
          responses: { '200': { description: 'successful operation', content: json(ref('Pet')) }, '404': { description: 'Pet not found' } },
        },
        post: {
          tags: ['pet'],
          summary: 'Updates a pet in the store with form data',
          description: '',
          operationId: 'updatePetWithForm',
          parameters: [
            idParam('petId', 'ID of pet that needs to be updated'),
            { name: 'name', in: 'query', description: 'Name of pet that needs to be updated', schema: { type: 'string' } },
            { name: 'status', in: 'query', description: 'Status of pet that needs to be updated', schema: { type: 'string' } },
          ],
          responses: { '405': { description: 'Invalid input' } },
        },
        delete: {
          tags: ['pet'],
          summary: 'Deletes a pet',
          description: '',
          operationId: 'deletePet',
          parameters: [{ name: 'api_key', in: 'header', description: '', required: false, schema: { type: 'string' } }, idParam('petId', 'Pet id to delete')],
          responses: { '400': { description: 'Invalid pet value' } },
        },
      },
      '/pet/{petId}/uploadImage': {
        post: {
          tags: ['pet'],
          summary: 'uploads an image',
          description: '',
          operationId: 'uploadFile',
          parameters: [idParam('petId', 'ID of pet to update'), { name: 'additionalMetadata', in: 'query', description: 'Additional Metadata', required: false, schema: { type: 'string' } }],
          requestBody: { content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } } },
          responses: { '200': { description: 'successful operation', content: json(ref('ApiResponse')) } },
        },
      },
      '/store/inventory': {
        get: {
          tags: ['store'],
          summary: 'Returns pet inventories by status',
          description: 'Returns a map of status codes to quantities',
          operationId: 'getInventory',
          responses: { '200': { description: 'successful operation', content: json({ type: 'object', additionalProperties: { type: 'integer', format: 'int32' } }) } },
        },
      },
      '/store/order': {
        post: {
          tags: ['store'],
          summary: 'Place an order for a pet',
          description: 'Place a new order in the store',
          operationId: 'placeOrder',
          requestBody: { content: json(ref('Order')) },
          responses: { '200': { description: 'successful operation', content: json(ref('Order')) }, '405': { description: 'Invalid input' } },
        },
      },
      '/store/order/{orderId}': {
        get: {
          tags: ['store'],
          summary: 'Find purchase order by ID',
          description: 'For valid response try integer IDs with value <= 5 or > 10. Other values will generate exceptions.',
          operationId: 'getOrderById',
          parameters: [idParam('orderId', 'ID of order that needs to be fetched')],
          responses: { '200': { description: 'successful operation', content: json(ref('Order')) }, '404': { description: 'Order not found' } },
        },
        delete: {
          tags: ['store'],
          summary: 'Delete purchase order by ID',
          description: 'For valid response try integer IDs with value < 1000. Anything above 1000 or nonintegers will generate API errors',
          operationId: 'deleteOrder',
          parameters: [idParam('orderId', 'ID of the order that needs to be deleted')],
          responses: { '400': { description: 'Invalid ID supplied' }, '404': { description: 'Order not found' } },
        },
      },
      '/user': {
        post: {
          tags: ['user'],
          summary: 'Create user',
          description: 'This can only be done by the logged in user.',
          operationId: 'createUser',
          requestBody: { description: 'Created user object', content: json(ref('User')) },
          responses: { default: { description: 'successful operation', content: json(ref('User')) } },
        },
      },
      '/user/login': {
        get: {
          tags: ['user'],
          summary: 'Logs user into the system',
          description: '',
          operationId: 'loginUser',
          parameters: [
            { name: 'username', in: 'query', description: 'The user name for login', required: false, schema: { type: 'string' } },
            { name: 'password', in: 'query', description: 'The password for login in clear text', required: false, schema: { type: 'string' } },
          ],
          responses: { '200': { description: 'successful operation', content: json({ type: 'string' }) }, '400': { description: 'Invalid username/password supplied' } },
        },
      },
      '/user/logout': {
        get: { tags: ['user'], summary: 'Logs out current logged in user session', description: '', operationId: 'logoutUser', responses: { default: { description: 'successful operation' } } },
      },
      '/user/{username}': {
        get: {
          tags: ['user'],
          summary: 'Get user by user name',
          description: '',
          operationId: 'getUserByName',
          parameters: [{ name: 'username', in: 'path', description: 'The name that needs to be fetched. Use user1 for testing. ', required: true, schema: { type: 'string' } }],
          responses: { '200': { description: 'successful operation', content: json(ref('User')) }, '404': { description: 'User not found' } },
        },
        put: {
          tags: ['user'],
          summary: 'Update user',
          description: 'This can only be done by the logged in user.',
          operationId: 'updateUser',
          parameters: [{ name: 'username', in: 'path', description: 'name that need to be deleted', required: true, schema: { type: 'string' } }],
          requestBody: { description: 'Update an existent user in the store', content: json(ref('User')) },
          responses: { default: { description: 'successful operation' } },
        },
        delete: {
          tags: ['user'],
          summary: 'Delete user',
          description: 'This can only be done by the logged in user.',
          operationId: 'deleteUser',
          parameters: [{ name: 'username', in: 'path', description: 'The name that needs to be deleted', required: true, schema: { type: 'string' } }],
          responses: { '400': { description: 'Invalid username supplied' }, '404': { description: 'User not found' } },
        },
      },
    },
    components: {
      schemas: {
        Order: {
          type: 'object',
          properties: {
            id: { type: 'integer', format: 'int64' },
            petId: { type: 'integer', format: 'int64' },
            quantity: { type: 'integer', format: 'int32' },
            shipDate: { type: 'string', format: 'date-time' },
            status: { type: 'string', description: 'Order Status', enum: ['placed', 'approved', 'delivered'] },
            complete: { type: 'boolean' },
          },
        },
        Category: { type: 'object', properties: { id: { type: 'integer', format: 'int64' }, name: { type: 'string' } } },
        User: {
          type: 'object',
          properties: {
            id: { type: 'integer', format: 'int64' },
            username: { type: 'string' },
            firstName: { type: 'string' },
            lastName: { type: 'string' },
            email: { type: 'string' },
            password: { type: 'string' },
            phone: { type: 'string' },
            userStatus: { type: 'integer', description: 'User Status', format: 'int32' },
          },
        },
        Tag: { type: 'object', properties: { id: { type: 'integer', format: 'int64' }, name: { type: 'string' } } },
        Pet: {
          required: ['name', 'photoUrls'],
          type: 'object',
          properties: {
            id: { type: 'integer', format: 'int64' },
            name: { type: 'string' },
            category: ref('Category'),
            photoUrls: { type: 'array', items: { type: 'string' } },
            tags: { type: 'array', items: ref('Tag') },
            status: { type: 'string', description: 'pet status in the store', enum: ['available', 'pending', 'sold'] },
          },
        },
        ApiResponse: { type: 'object', properties: { code: { type: 'integer', format: 'int32' }, type: { type: 'string' }, message: { type: 'string' } } },
      },
      requestBodies: {
        Pet: { description: 'Pet object that needs to be added to the store', required: true, content: json(ref('Pet')) },
      },
    },
  };
}

/** Operation ids of petstoreSpec(), in document order. */
export const PETSTORE_OPERATIONS = [
  'updatePet', 'addPet', 'findPetsByStatus', 'findPetsByTags', 'getPetById', 'updatePetWithForm', 'deletePet', 'uploadFile',
  'getInventory', 'placeOrder', 'getOrderById', 'deleteOrder', 'createUser', 'loginUser', 'logoutUser', 'getUserByName', 'updateUser', 'deleteUser',
];
